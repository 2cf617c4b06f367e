// 管理台 (/console): the week's timetable, classes, schools, pairings and reports, every change
// through the REST API with the login session and its CSRF token (body[data-csrf]). The page
// holds no rule of its own: what the API refuses is shown in its words beside the form.
"use strict";

const csrf = document.body.dataset.csrf;
const $ = (id) => document.getElementById(id);
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const PROGRAMS = { dedicated: "专递课堂", "master-teacher": "名师课堂", "famous-school": "名校网络课堂" };
let schools = [];
let weekStart = mondayOf(new Date());
let editing = null; // the id of the class in the form, or null for a new one

class APIFailure extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(method, path, body) {
  const headers = { "X-CSRF-Token": csrf };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api/v1" + path, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new APIFailure(response.status, error.code || "", error.message || (response.status + " " + text.slice(0, 200)));
  }
  return data;
}

// The API's error in words: the status said plainly, then the API's own message.
function describe(error) {
  const words = { 400: "输入有误", 401: "登录已失效，请重新登录", 403: "没有权限", 404: "不存在", 409: "时间冲突", 422: "不符合规则", 429: "请求过多" };
  if (error instanceof APIFailure) return (words[error.status] || "错误 " + error.status) + "：" + error.message;
  return "错误：" + error.message;
}

function el(tag, props, children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children || []) node.append(child);
  return node;
}

function mondayOf(date) {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

function rfc3339(date) { return date.toISOString().replace(/\.\d{3}Z$/, "Z"); }
function pad(n) { return String(n).padStart(2, "0"); }
function localDate(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
function localInput(d) { return localDate(d) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()); }
function hhmm(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
function schoolName(id) { const s = schools.find((x) => x.id === id); return s ? s.name : id; }

// Tabs.
function showTab(name) {
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== name;
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === name);
  if (name === "reports") loadReports();
}
for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));

// Schools and pairings feed the selects everywhere.
async function loadSchools() {
  schools = await api("GET", "/schools");
  const centrals = schools.filter((s) => s.role === "central");
  const sites = schools.filter((s) => s.role === "site");
  const fill = (select, list, first) => {
    const value = select.value;
    select.replaceChildren(...(first ? [el("option", { value: "", textContent: first })] : []),
      ...list.map((s) => el("option", { value: s.id, textContent: s.name + " (" + s.id + ")" })));
    if ([...select.options].some((o) => o.value === value)) select.value = value;
  };
  fill($("gridSchool"), schools, "全部");
  fill($("reportSchool"), schools, "全部");
  fill($("classCentral"), centrals);
  fill($("pairingCentral"), centrals);
  fill($("pairingSite"), sites);
  $("classSites").replaceChildren(...sites.map((s) =>
    el("label", { className: "check" }, [el("input", { type: "checkbox", value: s.id, name: "site" }), " " + s.name])));
  $("schoolRows").replaceChildren(...schools.map((s) => {
    const rotate = el("button", { type: "button", textContent: "更换密钥" });
    rotate.addEventListener("click", () => rotateKey(s));
    return el("tr", { className: "school" }, [
      el("td", { textContent: s.id }), el("td", { textContent: s.name }),
      el("td", { textContent: s.role === "central" ? "主讲学校" : "教学点" }),
      el("td", { textContent: s.bandwidthKbps == null ? "" : String(s.bandwidthKbps) }),
      el("td", { textContent: s.region || "" }), el("td", {}, [rotate]),
    ]);
  }));
}

async function loadPairings() {
  const pairings = await api("GET", "/pairings");
  $("pairingRows").replaceChildren(...pairings.map((p) => {
    const remove = el("button", { type: "button", textContent: "删除" });
    remove.addEventListener("click", async () => {
      if (!confirm("删除结对 " + schoolName(p.centralSchoolId) + " → " + schoolName(p.siteId) + "？")) return;
      try { await api("DELETE", "/pairings/" + encodeURIComponent(p.id)); $("pairingError").textContent = ""; await loadPairings(); }
      catch (e) { $("pairingError").textContent = describe(e); }
    });
    return el("tr", { className: "pairing" }, [
      el("td", { textContent: schoolName(p.centralSchoolId) }), el("td", { textContent: schoolName(p.siteId) }),
      el("td", { textContent: PROGRAMS[p.program] || p.program }), el("td", {}, [remove]),
    ]);
  }));
}

// A new key is shown once, with the URLs that use it.
function showKey(school) {
  const host = location.hostname;
  const key = school.key;
  const urls = [
    ["观看页", location.origin + "/watch/<课程编号>?key=" + key],
    [school.role === "central" ? "RTMP 推流" : "RTMP 拉流", "rtmp://" + host + ":1935/live/<课程编号>?key=" + key],
    [school.role === "central" ? "SRT 推流" : "SRT 拉流", "srt://" + host + ":10080?streamid=#!::r=live/<课程编号>,m=" +
      (school.role === "central" ? "publish" : "request") + ",s=" + key],
  ];
  $("keyText").textContent = school.name + " (" + school.id + ") 的密钥：" + key;
  $("keyUrls").replaceChildren(...urls.map(([name, url]) => el("li", {}, [name + "：", el("code", { textContent: url })])));
  $("keyBox").hidden = false;
}
$("keyDone").addEventListener("click", () => { $("keyBox").hidden = true; $("keyText").textContent = ""; $("keyUrls").replaceChildren(); });

async function rotateKey(school) {
  if (!confirm("更换 " + school.name + " 的密钥？旧密钥立即失效。")) return;
  try { showKey(await api("POST", "/schools/" + encodeURIComponent(school.id) + "/rotate-key")); $("schoolError").textContent = ""; }
  catch (e) { $("schoolError").textContent = describe(e); }
}

$("schoolForm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { id: $("schoolId").value.trim(), name: $("schoolName").value.trim(), role: $("schoolRole").value };
  if ($("schoolBandwidth").value) body.bandwidthKbps = Number($("schoolBandwidth").value);
  if ($("schoolRegion").value.trim()) body.region = $("schoolRegion").value.trim();
  try {
    const school = await api("POST", "/schools", body);
    $("schoolError").textContent = "";
    $("schoolForm").reset();
    showKey(school);
    await loadSchools();
  } catch (e) { $("schoolError").textContent = describe(e); }
});

$("pairingForm").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api("POST", "/pairings", { centralSchoolId: $("pairingCentral").value, siteId: $("pairingSite").value, program: $("pairingProgram").value });
    $("pairingError").textContent = "";
    await loadPairings();
  } catch (e) { $("pairingError").textContent = describe(e); }
});

// 课表: the week as seven columns of lessons.
async function loadWeek() {
  const end = new Date(weekStart); end.setDate(end.getDate() + 7);
  const last = new Date(end); last.setDate(last.getDate() - 1);
  $("weekLabel").textContent = localDate(weekStart) + " — " + localDate(last);
  const school = $("gridSchool").value;
  let occurrences;
  try {
    occurrences = await api("GET", "/timetable?from=" + encodeURIComponent(rfc3339(weekStart)) + "&to=" + encodeURIComponent(rfc3339(end)) +
      (school ? "&schoolId=" + encodeURIComponent(school) : ""));
  } catch (e) { $("grid").replaceChildren(el("div", { className: "error", textContent: describe(e) })); return; }
  occurrences.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const columns = DAY_NAMES.map((name, i) => {
    const day = new Date(weekStart); day.setDate(day.getDate() + i);
    return el("div", { className: "day" }, [el("h3", { textContent: name + " " + (day.getMonth() + 1) + "/" + day.getDate() })]);
  });
  for (const o of occurrences) {
    const start = new Date(o.startsAt);
    const index = Math.floor((mondayOf(start) - weekStart) / 86400000) === 0 ? (start.getDay() + 6) % 7 : -1;
    if (index < 0) continue;
    const card = el("button", { type: "button", className: "lesson " + o.program }, [
      el("span", { className: "time", textContent: hhmm(start) + "–" + hhmm(new Date(o.endsAt)) }),
      el("strong", { textContent: o.title }),
      el("span", { textContent: schoolName(o.centralSchoolId) + " → " + o.siteIds.map(schoolName).join("、") }),
    ]);
    card.dataset.classId = o.classId;
    card.addEventListener("click", () => editClass(o.classId));
    columns[index].append(card);
  }
  $("grid").replaceChildren(...columns);
  $("grid").dataset.week = localDate(weekStart);
}
$("prevWeek").addEventListener("click", () => { weekStart.setDate(weekStart.getDate() - 7); loadWeek(); });
$("nextWeek").addEventListener("click", () => { weekStart.setDate(weekStart.getDate() + 7); loadWeek(); });
$("gridSchool").addEventListener("change", loadWeek);

$("classWeekly").replaceChildren(...DAYS.map((d, i) =>
  el("label", { className: "check" }, [el("input", { type: "checkbox", value: d, name: "weekly" }), " " + DAY_NAMES[i]])));

function openForm(c) {
  editing = c ? c.id : null;
  $("classFormTitle").textContent = c ? "编辑课程 " + c.id : "新建课程";
  $("classId").value = c ? c.id : "";
  $("classId").disabled = !!c;
  $("classTitle").value = c ? c.title : "";
  $("classProgram").value = c ? c.program : "dedicated";
  if (c) $("classCentral").value = c.centralSchoolId;
  for (const box of $("classSites").querySelectorAll("input")) box.checked = !!c && c.siteIds.includes(box.value);
  $("classTeacher").value = (c && c.teacher) || "";
  $("classSubject").value = (c && c.subject) || "";
  const start = c ? new Date(c.startsAt) : new Date(weekStart.getTime() + 8 * 3600000);
  const end = c ? new Date(c.endsAt) : new Date(start.getTime() + 45 * 60000);
  $("classStart").value = localInput(start);
  $("classEnd").value = localInput(end);
  const weekly = (c && c.recurrence && c.recurrence.weekly) || [];
  for (const box of $("classWeekly").querySelectorAll("input")) box.checked = weekly.includes(box.value);
  $("classUntil").value = (c && c.recurrence && c.recurrence.until) || "";
  $("classRecord").checked = !!(c && c.record);
  $("deleteClass").hidden = !c;
  $("classError").textContent = "";
  $("classForm").hidden = false;
  $("classTitle").focus();
}

async function editClass(id) {
  try { openForm(await api("GET", "/classes/" + encodeURIComponent(id))); }
  catch (e) { $("classError").textContent = describe(e); $("classForm").hidden = false; }
}
$("newClass").addEventListener("click", () => openForm(null));
$("cancelClass").addEventListener("click", () => { $("classForm").hidden = true; });

$("classForm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const weekly = [...$("classWeekly").querySelectorAll("input:checked")].map((b) => b.value);
  const body = {
    title: $("classTitle").value.trim(), program: $("classProgram").value, centralSchoolId: $("classCentral").value,
    siteIds: [...$("classSites").querySelectorAll("input:checked")].map((b) => b.value),
    startsAt: rfc3339(new Date($("classStart").value)), endsAt: rfc3339(new Date($("classEnd").value)),
    record: $("classRecord").checked,
  };
  const teacher = $("classTeacher").value.trim();
  const subject = $("classSubject").value.trim();
  if (weekly.length) body.recurrence = { weekly, until: $("classUntil").value };
  try {
    if (editing) {
      body.teacher = teacher || null;
      body.subject = subject || null;
      if (!weekly.length) body.recurrence = null;
      await api("PATCH", "/classes/" + encodeURIComponent(editing), body);
    } else {
      if ($("classId").value.trim()) body.id = $("classId").value.trim();
      if (teacher) body.teacher = teacher;
      if (subject) body.subject = subject;
      await api("POST", "/classes", body);
    }
    $("classForm").hidden = true;
    await loadWeek();
  } catch (e) { $("classError").textContent = describe(e); }
});

$("deleteClass").addEventListener("click", async () => {
  if (!editing || !confirm("删除课程 " + editing + "（包括每周的重复）？")) return;
  try { await api("DELETE", "/classes/" + encodeURIComponent(editing)); $("classForm").hidden = true; await loadWeek(); }
  catch (e) { $("classError").textContent = describe(e); }
});

// 统计: the summary table, the held rate per week as an inline SVG chart, CSV downloads (fetched
// with the CSRF token, saved from a blob).
function reportQuery() {
  const school = $("reportSchool").value, program = $("reportProgram").value;
  // Dates are days in the timetable's zone; a range ending today (this browser's today) ends now
  // instead, so today's classes are in it whatever this browser's zone.
  const to = $("reportTo").value === localDate(new Date()) ? new Date().toISOString().replace(/\.\d{3}Z$/, "Z") : $("reportTo").value;
  return "from=" + encodeURIComponent($("reportFrom").value) + "&to=" + encodeURIComponent(to) +
    (school ? "&schoolId=" + encodeURIComponent(school) : "") + (program ? "&program=" + encodeURIComponent(program) : "");
}
const percent = (x) => (x == null ? "" : (x * 100).toFixed(1) + "%");

async function loadReports() {
  if (!$("reportFrom").value) {
    const to = new Date(); const from = new Date(); from.setDate(from.getDate() - 56);
    $("reportFrom").value = localDate(from); $("reportTo").value = localDate(to);
  }
  try {
    const group = $("reportGroup").value;
    const rows = await api("GET", "/reports/summary?" + reportQuery() + "&groupBy=" + group);
    const keyName = (key) => (group === "school" || group === "site" ? schoolName(key) : group === "program" ? PROGRAMS[key] || key : key);
    $("summaryRows").replaceChildren(...rows.map((r) => el("tr", { className: "summary" }, [
      keyName(r.key), r.scheduled, r.held, percent(r.heldRate), r.siteSlots, r.siteAttended, percent(r.attendanceRate),
      r.watchedHours == null ? "" : Number(r.watchedHours).toFixed(1),
      r.avgStartDelaySeconds == null ? "" : Math.round(r.avgStartDelaySeconds), r.interruptedSeconds == null ? "" : Math.round(r.interruptedSeconds),
    ].map((v) => el("td", { textContent: String(v == null ? "" : v) })))));
    const weeks = await api("GET", "/reports/summary?" + reportQuery() + "&groupBy=week");
    $("heldChart").replaceChildren(barChart(weeks, "heldRate", "每周开课率", (r) => r.held + "/" + r.scheduled));
    const sites = await api("GET", "/reports/summary?" + reportQuery() + "&groupBy=site");
    $("attendanceChart").replaceChildren(barChart(sites.map((r) => Object.assign({}, r, { key: schoolName(r.key) })),
      "attendanceRate", "各教学点到课率", (r) => r.siteAttended + "/" + r.siteSlots));
    const occurrences = await api("GET", "/reports/occurrences?" + reportQuery());
    $("occurrenceRows").replaceChildren(...occurrences.map((o) => el("tr", { className: "occurrence" }, [
      localInput(new Date(o.scheduledStart)).replace("T", " "), o.title, schoolName(o.centralSchoolId), o.teacher || "",
      o.held ? "是" : "否", o.startDelaySeconds == null ? "" : Math.round(o.startDelaySeconds),
      o.interruptedSeconds == null ? "" : Math.round(o.interruptedSeconds),
      (o.sites || []).filter((s) => s.attended).length + "/" + (o.sites || []).length,
    ].map((v) => el("td", { textContent: String(v) })))));
    $("reportError").textContent = "";
  } catch (e) { $("reportError").textContent = describe(e); }
}

// A bar chart of `field` (a fraction from 0 to 1) per row, as inline SVG.
function barChart(rows, field, label, detail) {
  const NS = "http://www.w3.org/2000/svg";
  const width = 640, height = 220, left = 40, bottom = 30, top = 10;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const add = (name, attrs, text) => {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const plot = height - bottom - top;
  for (const f of [0, 0.5, 1]) {
    const y = top + plot * (1 - f);
    add("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" });
    add("text", { x: 2, y: y + 4, class: "axis" }, (f * 100) + "%");
  }
  const step = rows.length ? (width - left) / rows.length : 0;
  rows.forEach((r, i) => {
    const rate = Math.max(0, Math.min(1, r[field] || 0));
    const h = plot * rate;
    const bar = add("rect", { x: left + i * step + 4, y: top + plot - h, width: Math.max(2, step - 8), height: h, class: "bar" });
    const title = document.createElementNS(NS, "title");
    title.textContent = r.key + "：" + percent(r[field]) + "（" + detail(r) + "）";
    bar.append(title);
    add("text", { x: left + i * step + step / 2, y: height - 10, class: "axis", "text-anchor": "middle" }, String(r.key));
  });
  return svg;
}

$("reportForm").addEventListener("submit", (event) => { event.preventDefault(); loadReports(); });
for (const [link, path, name] of [["summaryCsv", "summary", "summary"], ["occurrencesCsv", "occurrences", "occurrences"]]) {
  $(link).addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      const extra = path === "summary" ? "&groupBy=" + $("reportGroup").value : "";
      const response = await fetch("/api/v1/reports/" + path + "?" + reportQuery() + extra + "&format=csv",
        { headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
      if (!response.ok) throw new APIFailure(response.status, "", (await response.text()).slice(0, 300));
      const url = URL.createObjectURL(await response.blob());
      const a = el("a", { href: url, download: name + "-" + $("reportFrom").value + "-" + $("reportTo").value + ".csv" });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { $("reportError").textContent = describe(e); }
  });
}

(async () => {
  showTab("timetable");
  try { await loadSchools(); await loadPairings(); } catch (e) { $("schoolError").textContent = describe(e); }
  await loadWeek();
  document.body.dataset.ready = "1";
})();
