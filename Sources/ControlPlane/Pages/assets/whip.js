"use strict";
// The WHIP publisher (RFC 9725) the pages share: a site's watch page sends its classroom's
// camera and microphone with it as the site's return feed. Send-only audio and video; the offer
// goes to the relay's own origin (the page's CSP allows nothing else).
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
    const publisher = {
      pc, session: null, closed: false,
      close() {
        if (this.closed) return;
        this.closed = true;
        if (this.session) fetch(this.session, { method: "DELETE", keepalive: true }).catch(() => {});
        pc.close();
      },
    };
    if (options.onDrop) {
      pc.onconnectionstatechange = () => {
        if (publisher.closed || !["failed", "closed", "disconnected"].includes(pc.connectionState)) return;
        const failed = pc.connectionState === "failed";
        publisher.close();
        options.onDrop(failed);
      };
    }
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const response = await fetch(url, {
        method: "POST", headers: Object.assign({ "Content-Type": "application/sdp" }, options.headers || {}),
        body: offer.sdp, credentials: "same-origin",
      });
      if (response.status !== 201) {
        const body = await response.json().catch(() => ({}));
        publisher.close();
        return { publisher: null, status: response.status, error: body.error && body.error.message };
      }
      publisher.session = new URL(response.headers.get("Location"), location.href).href;
      await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
      return { publisher, status: response.status, error: null };
    } catch (e) {
      publisher.close();
      return { publisher: null, status: 0, error: String(e) };
    }
  }

  return { devices, capture, publish };
})();
