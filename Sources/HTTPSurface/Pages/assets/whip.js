"use strict";
// The WHIP publisher (RFC 9725) the pages share: a site's watch page sends its classroom's
// camera and microphone with it as the site's return feed. Send-only audio and video, signalled
// through whep.js's `RelayWHEP.connect` (the same exchange, the other direction).
window.RelayWHIP = (() => {
  // The cameras and microphones this browser has (labels once the user has allowed them).
  async function devices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    return { cameras: all.filter((d) => d.kind === "videoinput"), microphones: all.filter((d) => d.kind === "audioinput") };
  }

  // Opens the chosen camera and microphone: the browser's own echo cancellation and noise
  // suppression on (the classroom also hears the lesson from its loudspeakers).
  function capture(cameraId, microphoneId) {
    return navigator.mediaDevices.getUserMedia({
      video: Object.assign({ width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 } },
        cameraId ? { deviceId: { exact: cameraId } } : {}),
      audio: Object.assign({ echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        microphoneId ? { deviceId: { exact: microphoneId } } : {}),
    });
  }

  // Publishes `stream` to the WHIP endpoint `url`. `options.headers` go with the offer (the key
  // as `Authorization: Bearer`); `options.onDrop(failed)` is called once if the connection later
  // fails or closes, after the publisher has closed itself. Resolves to { publisher, status,
  // error }: `publisher` ({ pc, close() }) when the relay answered 201, else null with the HTTP
  // status (0: the browser failed before an answer) and the relay's error message.
  async function publish(stream, url, options = {}) {
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
    const result = await RelayWHEP.connect(pc, url, options);
    return { publisher: result.handle, status: result.status, error: result.error };
  }

  return { devices, capture, publish };
})();
