"use strict";
// The central school's wall (/teacher/<classId>?key=<central key>): one muted WHEP tile
// (whep.js) per site's return feed, polled from /teacher/<classId>/feeds, with each site's raised
// hand and its 上台 / 下台 button (the class's stage, through the REST API). The class id comes in
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
      '<div class="hand" hidden>✋ 举手</div>' +
      '<div class="info"><span class="name"></span><span class="state"></span><button type="button" class="stage">上台</button></div>';
    element.querySelector(".name").textContent = site.name;
    tile = { element, video: element.querySelector("video"), notice: element.querySelector(".notice"),
             state: element.querySelector(".state"), hand: element.querySelector(".hand"),
             stageButton: element.querySelector("button.stage"), player: null, connecting: false };
    tile.stageButton.addEventListener("click", () => toggleStage(site.siteId));
    tiles.set(site.siteId, tile);
    grid.appendChild(element);
    return tile;
  }

  // The interactive classroom: raised hands (✋ 举手 and a short sound when one goes up), a
  // 上台 / 下台 button per site and the layout, all through the REST API with the central key.
  const api = "/api/v1/classes/" + encodeURIComponent(classId);
  const layout = document.getElementById("layout");
  const stageNotice = document.getElementById("stage-notice");
  let stage = { sites: [], layout: "pip", hands: [] };
  let heard = new Set();

  function chime() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
      tone.onended = () => audio.close();
    } catch (e) { /* no sound on this browser: the badge still shows */ }
  }

  function showStage(next) {
    // A site that left the stage while its feed is down: the relay took it off (its feed dropped).
    const dropped = stage.sites.filter((s) => !next.sites.includes(s) && tiles.has(s) && tiles.get(s).element.dataset.live !== "true");
    if (dropped.length) stageNotice.textContent = dropped.join("、") + " 画面中断，已下台";
    stage = next;
    const hands = new Set(stage.hands.map((h) => h.siteId));
    if ([...hands].some((site) => !heard.has(site))) chime();
    heard = hands;
    layout.value = stage.layout;
    tiles.forEach((tile, siteId) => {
      const up = hands.has(siteId), on = stage.sites.includes(siteId);
      tile.hand.hidden = !up;
      tile.element.dataset.hand = up ? "up" : "down";
      tile.element.dataset.onStage = on ? "true" : "false";
      tile.stageButton.textContent = on ? "下台" : "上台";
      tile.stageButton.disabled = !on && tile.element.dataset.live !== "true";
    });
  }

  async function setStage(sites, chosenLayout) {
    const response = await fetch(api + "/stage", {
      method: "PUT", headers: Object.assign({ "Content-Type": "application/json" }, RelayWHEP.keyHeaders()),
      body: JSON.stringify({ sites, layout: chosenLayout }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) { stageNotice.textContent = ""; showStage(body); }
    else stageNotice.textContent = "上台失败：" + ((body.error && body.error.message) || response.status);
  }

  function toggleStage(siteId) {
    const sites = stage.sites.includes(siteId) ? stage.sites.filter((s) => s !== siteId) : stage.sites.concat([siteId]);
    setStage(sites, layout.value).catch(() => {});
  }

  layout.addEventListener("change", () => setStage(stage.sites, layout.value).catch(() => {}));

  async function pollStage() {
    try {
      const response = await fetch(api + "/stage", { headers: RelayWHEP.keyHeaders() });
      if (response.ok) showStage(await response.json());
    } catch (e) { /* try again */ }
    setTimeout(pollStage, 1500);
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
        showStage(stage);
      }
    } catch (e) { /* the relay is unreachable for a moment: try again */ }
    setTimeout(poll, 2000);
  }
  poll();
  pollStage();
  window.addEventListener("pagehide", () => tiles.forEach((t) => t.player && t.player.close()));
})();
