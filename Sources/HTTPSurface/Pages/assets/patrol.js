"use strict";
// The patrol wall (/patrol, 巡课): every class in its window as a muted live tile (whep.js, the
// lowest rung) with its publisher's state and viewers, the sites' return feeds beside it, the
// next hour's classes below; a tile opens its class large, with sound. Polls /patrol/wall.json;
// the session cookie allows the data and the offers.
(() => {
  const labels = { live: "直播中", lost: "信号中断", waiting: "等待开课" };
  const protocols = { rtmp: "RTMP", rtmps: "RTMPS", srt: "SRT", webrtc: "WebRTC", hls: "HLS", flv: "FLV" };
  const grid = document.getElementById("grid");
  const tiles = new Map();  // classId -> { element, player }

  // One WHEP player (whep.js) in a <video>: the patrol session's cookie allows the offer.
  async function connect(video, name) {
    const result = await RelayWHEP.play(video, "/patrol/whep/" + encodeURIComponent(name));
    if (result.player) video.play().catch(() => {});
    return result.player;
  }

  function text(tag, className, value) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  }

  function render(tile, data) {
    const info = tile.element.querySelector(".info");
    info.replaceChildren();
    const title = text("div", "title", data.title);
    title.appendChild(text("span", "state " + data.state, labels[data.state] || data.state));
    info.appendChild(title);
    info.appendChild(text("div", "", "主讲学校：" + data.centralSchool + (data.teacher ? " · 教师：" + data.teacher : "")));
    info.appendChild(text("div", "", data.state === "live" ? "输入码率：" + data.inputKbps + " kbit/s" : data.state === "lost" ? "主讲端信号中断，等待恢复…" : "等待主讲端推流"));
    const sites = data.viewers.map((v) => (v.siteId || "管理员") + "（" + (protocols[v.protocol] || v.protocol) + " · " + v.rendition + "）");
    info.appendChild(text("div", "viewers", sites.length ? "听课端：" + sites.join("，") : "听课端：无"));
    const onStage = data.onStage || [];
    if (onStage.length) info.appendChild(text("div", "stage", "互动中 · 台上：" + onStage.join("，")));
    tile.element.dataset.state = data.state;
    tile.element.dataset.onStage = onStage.length ? "true" : "false";
    renderFeeds(tile, data.returnFeeds || []);
  }

  // The sites' return feeds (互动课堂), small muted tiles under the lesson's.
  function renderFeeds(tile, feeds) {
    const strip = tile.element.querySelector(".feeds");
    const wanted = new Set(feeds.map((f) => f.siteId));
    for (const [siteId, feed] of tile.feeds) {
      if (wanted.has(siteId)) continue;
      if (feed.player) feed.player.close();
      feed.element.remove();
      tile.feeds.delete(siteId);
    }
    for (const data of feeds) {
      let feed = tile.feeds.get(data.siteId);
      if (!feed) {
        const element = text("div", "feed", "");
        element.dataset.site = data.siteId;
        const video = document.createElement("video");
        video.muted = true; video.autoplay = true; video.playsInline = true;
        element.appendChild(video);
        element.appendChild(text("div", "", data.site));
        element.addEventListener("click", (e) => e.stopPropagation());
        strip.appendChild(element);
        feed = { element, player: null, connecting: false };
        tile.feeds.set(data.siteId, feed);
      }
      if (!feed.player && !feed.connecting) {
        feed.connecting = true;
        connect(feed.element.querySelector("video"), data.stream).then((player) => { feed.player = player; feed.connecting = false; });
      }
    }
  }

  async function ensurePlaying(tile, data) {
    if (data.state !== "live") {
      if (tile.player) { tile.player.close(); tile.player = null; }
      return;
    }
    if (tile.player || tile.connecting) return;
    tile.connecting = true;
    const name = data.classId + (data.tileRendition ? "_" + data.tileRendition : "");
    tile.player = await connect(tile.element.querySelector("video"), name);
    tile.connecting = false;
  }

  let large = null;
  function openLarge(data) {
    document.getElementById("largeTitle").textContent = data.title;
    document.getElementById("large").hidden = false;
    const video = document.getElementById("largeVideo");
    video.muted = false;
    connect(video, data.classId).then((player) => { large = player; });
  }
  document.getElementById("close").addEventListener("click", () => {
    document.getElementById("large").hidden = true;
    if (large) { large.close(); large = null; }
  });

  async function poll() {
    try {
      const response = await fetch("/patrol/wall.json", { credentials: "same-origin" });
      if (response.status === 401) { location.reload(); return; }
      const wall = await response.json();
      const current = new Set();
      for (const data of wall.live) {
        current.add(data.classId);
        let tile = tiles.get(data.classId);
        if (!tile) {
          const element = document.createElement("div");
          element.className = "tile";
          element.dataset.classId = data.classId;
          const video = document.createElement("video");
          video.muted = true;
          video.autoplay = true;
          video.playsInline = true;
          element.appendChild(video);
          element.appendChild(text("div", "info", ""));
          element.appendChild(text("div", "feeds", ""));
          grid.appendChild(element);
          tile = { element, player: null, data, feeds: new Map() };
          element.addEventListener("click", () => openLarge(tile.data));
          tiles.set(data.classId, tile);
        }
        tile.data = data;
        render(tile, data);
        ensurePlaying(tile, data);
      }
      for (const [classId, tile] of tiles) {
        if (current.has(classId)) continue;
        if (tile.player) tile.player.close();
        for (const feed of tile.feeds.values()) if (feed.player) feed.player.close();
        tile.element.remove();
        tiles.delete(classId);
      }
      document.getElementById("empty").hidden = tiles.size > 0;
      const list = document.getElementById("upcoming");
      list.replaceChildren(...wall.upcoming.map((u) => text("li", "", new Date(u.startsAt).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" }) + "　" + u.title)));
      if (!wall.upcoming.length) list.appendChild(text("li", "", "无"));
    } catch (e) { /* the relay is unreachable for a moment: try again */ }
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("zh-CN");
    setTimeout(poll, 2000);
  }
  poll();
  window.addEventListener("pagehide", () => { for (const tile of tiles.values()) if (tile.player) tile.player.close(); if (large) large.close(); });
})();
