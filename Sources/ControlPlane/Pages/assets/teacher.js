"use strict";
// The central school's wall (/teacher/<classId>?key=<central key>): one muted WHEP tile
// (whep.js) per site's return feed, polled from /teacher/<classId>/feeds. The class id comes in
// <body data-class-id>; the key from the page's own URL.
(() => {
  const classId = document.body.dataset.classId;
  const key = new URLSearchParams(location.search).get("key") || "";
  const protocols = { rtmp: "RTMP", srt: "SRT", webrtc: "WebRTC" };
  const lessonLabels = { scheduled: "未开始", live: "直播中", ended: "已结束" };
  const grid = document.getElementById("grid");
  const tiles = new Map();  // siteId -> { element, video, notice, state, player, connecting }

  // One muted WHEP player of a site's return feed, allowed by the central school's key.
  async function connect(tile, stream) {
    tile.connecting = true;
    let player = null;
    const result = await RelayWHEP.play(tile.video, "/whep/live/" + encodeURIComponent(stream), {
      headers: RelayWHEP.keyHeaders(),
      onDrop: () => { if (tile.player === player) tile.player = null; },
    });
    player = result.player;
    tile.connecting = false;
    if (!player || player.closed) return;
    tile.player = player;
    tile.video.muted = true;
    tile.video.play().catch(() => {});
    tile.video.requestVideoFrameCallback(() => { tile.notice.textContent = ""; });
  }

  function tileFor(site) {
    let tile = tiles.get(site.siteId);
    if (tile) return tile;
    const element = document.createElement("div");
    element.className = "tile";
    element.dataset.site = site.siteId;
    element.innerHTML = '<video playsinline autoplay muted></video><div class="notice"></div>' +
      '<div class="info"><span class="name"></span><span class="state"></span></div>';
    element.querySelector(".name").textContent = site.name;
    tile = { element, video: element.querySelector("video"), notice: element.querySelector(".notice"),
             state: element.querySelector(".state"), player: null, connecting: false };
    tiles.set(site.siteId, tile);
    grid.appendChild(element);
    return tile;
  }

  function show(site) {
    const tile = tileFor(site);
    tile.element.dataset.live = site.live ? "true" : "false";
    tile.state.className = "state" + (site.live ? " live" : "");
    tile.state.textContent = site.live ? "已连线 · " + (protocols[site.protocol] || site.protocol) + " · " + site.inputKbps + " kbit/s" : "未连线";
    if (site.live && !tile.player && !tile.connecting) {
      tile.notice.textContent = "连接中…";
      connect(tile, site.stream);
    }
    if (!site.live) {
      if (tile.player) { tile.player.close(); tile.player = null; }
      tile.video.srcObject = null;
      tile.notice.textContent = "等待教学点连线";
    }
  }

  async function poll() {
    try {
      const response = await fetch("/teacher/" + encodeURIComponent(classId) + "/feeds?key=" + encodeURIComponent(key));
      if (response.ok) {
        const feeds = await response.json();
        document.getElementById("lesson").textContent = "课堂：" + (lessonLabels[feeds.state] || feeds.state);
        feeds.sites.forEach(show);
      }
    } catch (e) { /* the relay is unreachable for a moment: try again */ }
    setTimeout(poll, 2000);
  }
  poll();
  window.addEventListener("pagehide", () => tiles.forEach((t) => t.player && t.player.close()));
})();
