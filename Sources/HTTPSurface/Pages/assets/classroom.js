"use strict";
// A site's part in the interactive classroom, on its watch page: 发送本教室画面 sends the
// classroom's camera and microphone over WHIP (whip.js) as the site's return feed
// live/<classId>~<siteId>, resuming by itself after a network loss and stopping on request or
// when the page closes; 举手 / 放下 raises and lowers the site's hand through the REST API with
// the site's key. Shown only to a site of the class (<body data-site-id>).
(() => {
  const classId = document.body.dataset.classId;
  const siteId = document.body.dataset.siteId;
  if (!siteId) return;
  const api = "/api/v1/classes/" + encodeURIComponent(classId);
  const feed = "/whip/live/" + encodeURIComponent(classId + "~" + siteId);
  const panel = document.getElementById("classroom");
  const handButton = document.getElementById("hand");
  const sendButton = document.getElementById("send");
  const camera = document.getElementById("camera");
  const microphone = document.getElementById("microphone");
  const sending = document.getElementById("sending");
  panel.hidden = false;

  let stream = null, publisher = null, wanted = false, retry = null, handUp = false, onStage = false;

  function showSending(text, live) {
    sending.textContent = text;
    sending.className = live ? "live" : "";
    sendButton.textContent = wanted ? "停止发送" : "发送本教室画面";
    document.body.dataset.sending = live ? "true" : "false";
  }

  async function fillDevices() {
    const { cameras, microphones } = await RelayWHIP.devices();
    for (const [select, list, label] of [[camera, cameras, "摄像头"], [microphone, microphones, "麦克风"]]) {
      const chosen = select.value;
      select.textContent = "";
      list.forEach((d, i) => {
        const option = document.createElement("option");
        option.value = d.deviceId;
        option.textContent = d.label || label + " " + (i + 1);
        select.appendChild(option);
      });
      if (chosen) select.value = chosen;
    }
  }

  function stopTracks() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
  }

  async function send() {
    retry = null;
    if (!wanted || publisher) return;
    showSending("正在连接…", false);
    try {
      if (!stream) stream = await RelayWHIP.capture(camera.value, microphone.value);
    } catch (e) {
      wanted = false;
      showSending("无法打开摄像头或麦克风：" + e.name, false);
      return;
    }
    fillDevices().catch(() => {});
    const result = await RelayWHIP.publish(stream, feed, { headers: RelayWHEP.keyHeaders(), onDrop: dropped });
    if (!wanted) { if (result.publisher) result.publisher.close(); return; }
    if (!result.publisher) {
      const refused = result.status === 401 || result.status === 403 || result.status === 404;
      showSending((refused ? "无法发送：" : "发送失败，正在重试：") + (result.error || result.status), false);
      if (!refused) retry = setTimeout(send, 3000);
      else { wanted = false; stopTracks(); showSending("无法发送：" + (result.error || result.status), false); }
      return;
    }
    publisher = result.publisher;
    publisher.pc.addEventListener("connectionstatechange", () => {
      if (publisher && publisher.pc.connectionState === "connected") showSending("正在发送本教室画面", true);
    });
  }

  function dropped() {
    publisher = null;
    if (!wanted) return;
    showSending("连接中断，正在重新连接…", false);
    retry = setTimeout(send, 2000);
  }

  function stop() {
    wanted = false;
    if (retry) { clearTimeout(retry); retry = null; }
    if (publisher) { publisher.close(); publisher = null; }
    stopTracks();
    showSending("", false);
  }

  sendButton.addEventListener("click", () => {
    if (wanted) { stop(); return; }
    wanted = true;
    send();
  });
  for (const select of [camera, microphone]) {
    select.addEventListener("change", () => {
      if (!wanted) return;
      if (publisher) { publisher.close(); publisher = null; }
      stopTracks();
      send();
    });
  }

  function showHand() {
    handButton.textContent = handUp ? "放下" : "举手";
    handButton.className = handUp ? "up" : "";
    document.body.dataset.hand = handUp ? "up" : "down";
    document.body.dataset.onStage = onStage ? "true" : "false";
    document.getElementById("stage").textContent = onStage ? "本教室正在台上（全班可见）" : "";
  }

  function showStage(stage) {
    handUp = stage.hands.some((h) => h.siteId === siteId);
    onStage = stage.sites.includes(siteId);
    showHand();
  }

  handButton.addEventListener("click", async () => {
    const method = handUp ? "DELETE" : "POST";
    const url = handUp ? api + "/hands/" + encodeURIComponent(siteId) : api + "/hands";
    try {
      const response = await fetch(url, { method, headers: RelayWHEP.keyHeaders() });
      const body = await response.json().catch(() => ({}));
      if (response.ok) showStage(body);
      else sending.textContent = "举手失败：" + ((body.error && body.error.message) || response.status);
    } catch (e) { /* unreachable for a moment: the next poll shows the truth */ }
  });

  async function poll() {
    try {
      const response = await fetch(api + "/stage", { headers: RelayWHEP.keyHeaders() });
      if (response.ok) showStage(await response.json());
    } catch (e) { /* try again */ }
    setTimeout(poll, 2000);
  }
  fillDevices().catch(() => {});
  showHand();
  poll();
  window.addEventListener("pagehide", stop);
})();
