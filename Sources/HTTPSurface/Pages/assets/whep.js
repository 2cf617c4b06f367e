"use strict";
// The WHEP player (RFC 9725) every page shares: the watch page, the teacher's wall and the
// patrol wall each play their <video> elements through it. Receive-only audio and video; the
// offer goes to the relay's own origin (the page's CSP allows nothing else).
window.RelayWHEP = (() => {
  // Plays the stream the WHEP endpoint `url` serves in `video`. `options.headers` go with the
  // offer (the key as `Authorization: Bearer`; the patrol wall sends none: its cookie allows
  // it); `options.onDrop(failed)` is called once if the connection later fails or closes
  // (`failed`: ICE or DTLS failed, not a close), after the player has closed itself.
  // Resolves to { player, status, error }: `player` ({ pc, close() }) when the relay answered
  // 201, else null with the HTTP status (0: the browser failed before an answer) and the
  // relay's error message if it gave one.
  async function play(video, url, options = {}) {
    const pc = new RTCPeerConnection();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    const media = new MediaStream();
    pc.ontrack = (e) => { media.addTrack(e.track); video.srcObject = media; };
    const result = await connect(pc, url, options);
    return { player: result.handle, status: result.status, error: result.error };
  }

  // The signalling both directions share (WHEP here, WHIP in whip.js): the offer of `pc`
  // POSTed to `url` with `options.headers`, the answer set, `Location` kept for the DELETE that
  // `close()` sends; `options.onDrop(failed)` once if the connection later fails or closes.
  // Resolves to { handle, status, error }: `handle` ({ pc, close() }) when the relay answered
  // 201, else null with the HTTP status (0: the browser failed first) and the relay's message.
  async function connect(pc, url, options = {}) {
    const handle = {
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
        if (handle.closed || !["failed", "closed", "disconnected"].includes(pc.connectionState)) return;
        const failed = pc.connectionState === "failed";
        handle.close();
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
        handle.close();
        return { handle: null, status: response.status, error: body.error && body.error.message };
      }
      handle.session = new URL(response.headers.get("Location"), location.href).href;
      await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
      return { handle, status: response.status, error: null };
    } catch (e) {
      handle.close();
      return { handle: null, status: 0, error: String(e) };
    }
  }

  // The `Authorization` header for a page opened with `?key=` (the key never leaves this origin).
  function keyHeaders() {
    const key = new URLSearchParams(location.search).get("key") || "";
    return { Authorization: "Bearer " + key };
  }

  return { play, connect, keyHeaders };
})();
