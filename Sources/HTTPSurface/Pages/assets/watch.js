"use strict";
// The watch page (/watch/<classId>?key=<site key>): the lesson over WHEP (whep.js), falling
// back to HLS where the browser has no WebRTC or WebRTC keeps failing (UDP and TCP blocked).
// It polls the class's state to start by itself when the lesson begins and resume after a drop.
// The class id comes in <body data-class-id>; the key from the page's own URL.
(() => {
  const classId = document.body.dataset.classId;
  const key = new URLSearchParams(location.search).get("key") || "";
  const labels = { scheduled: "未开始", live: "直播中", ended: "已结束" };
  const video = document.getElementById("video");
  const notice = document.getElementById("notice");
  const stateLabel = document.getElementById("state");
  const unmute = document.getElementById("unmute");
  let player = null, state = stateLabel.dataset.state, connecting = false;
  let transport = typeof RTCPeerConnection === "function" ? "webrtc" : "hls";
  let webrtcFailures = 0, hlsPlaying = false;
  const hlsURL = "/hls/live/" + encodeURIComponent(classId) + "/index.m3u8?key=" + encodeURIComponent(key);

  function say(text) { notice.textContent = text; }
  function showState(s) {
    state = s;
    stateLabel.textContent = labels[s] || s;
    stateLabel.dataset.state = s;
    stateLabel.className = s === "live" ? "live" : "";
  }

  function stop() {
    if (player) { player.close(); player = null; }
  }

  function webrtcFailed() {
    webrtcFailures += 1;
    if (webrtcFailures >= 2) transport = "hls";
  }

  async function startVideo() {
    video.muted = false;
    try { await video.play(); } catch (e) { video.muted = true; unmute.hidden = false; video.play().catch(() => {}); }
    video.requestVideoFrameCallback(() => say(""));
  }

  async function playHLS() {
    if (hlsPlaying) return;
    hlsPlaying = true;
    video.dataset.transport = "hls";
    say("连接中…");
    video.srcObject = null;
    video.src = hlsURL;
    await startVideo();
  }

  video.addEventListener("error", () => {
    if (!hlsPlaying) return;
    // The lesson dropped or ended: the next status poll starts again.
    hlsPlaying = false;
    video.removeAttribute("src");
    video.load();
    say(state === "ended" ? "本节课已结束" : "连接中断，正在重新连接…");
  });

  function dropped(failed) {
    if (failed) webrtcFailed();
    player = null;
    say(state === "ended" ? "本节课已结束" : "连接中断，正在重新连接…");
  }

  async function play() {
    if (connecting || player) return;
    connecting = true;
    say("连接中…");
    try {
      const result = await RelayWHEP.play(video, "/whep/live/" + encodeURIComponent(classId), {
        headers: RelayWHEP.keyHeaders(), onDrop: dropped,
      });
      if (!result.player) {
        if (result.status === 0) {
          webrtcFailed();
          say("连接失败，正在重试…");
        } else {
          say(result.status === 403 || result.status === 401 ? "无法观看：" + (result.error || result.status) : "等待上课…");
        }
        return;
      }
      player = result.player;
      video.dataset.transport = "webrtc";
      await startVideo();
    } finally {
      connecting = false;
    }
  }

  unmute.addEventListener("click", () => { video.muted = false; unmute.hidden = true; video.play().catch(() => {}); });

  async function poll() {
    try {
      const response = await fetch("/watch/" + encodeURIComponent(classId) + "/status?key=" + encodeURIComponent(key));
      if (response.ok) {
        const status = await response.json();
        showState(status.state);
        const idle = !player && !hlsPlaying;
        if (status.state === "live" && idle) transport === "hls" ? playHLS() : play();
        if (status.state !== "live" && idle) say(status.state === "ended" ? "本节课已结束" : "等待上课…");
      }
    } catch (e) { /* the relay is unreachable for a moment: try again */ }
    setTimeout(poll, 2000);
  }
  poll();
  window.addEventListener("pagehide", stop);
})();
