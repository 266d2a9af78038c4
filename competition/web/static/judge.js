// A segment judge's phone: one tap per infraction; calls wait here while the Wi-Fi is down.
//
// Every call gets its id here, at the tap, and is kept in localStorage until the
// server acknowledges it; a retry of the same id is recorded once on the server.
"use strict";
const KEY = { token: "trackside.judge.token", outbox: "trackside.judge.outbox" };
let info = null;      // the judge's segment(s) and their infractions
let riders = [];

function newCallId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);  // works on plain http, unlike crypto.randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function loadOutbox() {
  try { return JSON.parse(localStorage.getItem(KEY.outbox) || "[]"); } catch (e) { return []; }
}
function saveOutbox(items) { localStorage.setItem(KEY.outbox, JSON.stringify(items.slice(-200))); }
function token() { return localStorage.getItem(KEY.token); }

function takeTokenFromUrl() {
  const match = location.hash.match(/[#&]t=([A-Za-z0-9-]+)/);
  if (match) {
    localStorage.setItem(KEY.token, match[1].replace(/-/g, "").toUpperCase());
    history.replaceState(null, "", location.pathname + location.search);  // the token leaves the address bar
  }
}

function showLogin(message) {
  document.getElementById("work").hidden = true;
  document.getElementById("login").hidden = false;
  const err = document.getElementById("pin-error");
  err.hidden = !message;
  err.textContent = message || "";
}

async function api(path, body) {
  const options = { headers: { "Authorization": "Bearer " + token(), "Content-Type": "application/json" } };
  if (body !== undefined) { options.method = "POST"; options.body = JSON.stringify(body); }
  return fetch(path, options);
}

async function refreshRiders() {
  if (!token()) return showLogin();
  let answer;
  try { answer = await api("/api/judge/riders"); } catch (e) { document.getElementById("offline").hidden = false; return; }
  if (answer.status === 401) { localStorage.removeItem(KEY.token); return showLogin(t("bad_pin")); }
  if (!answer.ok) return;
  document.getElementById("offline").hidden = true;
  const data = await answer.json();
  info = data;
  riders = data.riders;
  document.getElementById("login").hidden = true;
  document.getElementById("work").hidden = false;
  document.getElementById("segment-name").textContent = data.head_referee ? t("all_segments")
    : t("your_segment") + "：" + named(data.segments[0], "name");
  renderRiders();
}

function renderRiders() {
  const box = document.getElementById("riders");
  if (!riders.length) { box.replaceChildren(el("p", { class: "empty" }, t("nobody_to_call"))); return; }
  box.replaceChildren(...riders.map((r) => {
    const calls = r.calls.filter((c) => info.segments.some((s) => s.code === c.segment));
    const card = el("div", { class: "rider-card " + (r.state === "finished" ? "finished" : ""), "data-bib": String(r.bib) },
      el("div", { class: "who" }, "#" + r.bib + " " + r.name),
      r.state === "finished" ? el("div", { class: "grace" }, t("finished_grace", { s: r.grace_s })) : null,
      el("div", { class: "calls" }, calls.length ? calls.map((c) => named(c, "name") + " ×" + c.count).join("，") : t("no_calls")));
    for (const seg of info.segments) {
      const grid = el("div", { class: "tap-grid" });
      for (const inf of seg.infractions) {
        const label = (info.segments.length > 1 ? named(seg, "name") + "·" : "") + named(inf, "name");
        const button = el("button", { type: "button", class: inf.eliminates ? "dsq" : "", "data-code": inf.code, "data-segment": seg.code }, label);
        button.addEventListener("click", () => tap(r, seg, inf, label));
        grid.append(button);
      }
      card.append(grid);
    }
    return card;
  }));
}

function tap(rider, seg, inf, label) {
  const items = loadOutbox();
  items.push({ kind: "call", call_id: newCallId(), bib: rider.bib, segment: seg.code, code: inf.code, count: 1,
               label: "#" + rider.bib + " " + rider.name + " · " + label, state: "pending" });
  saveOutbox(items);
  renderOutbox();
  sendPending();
}

function undoLast() {
  const items = loadOutbox();
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.kind !== "call" || item.undone) continue;
    if (item.state === "pending") { items.splice(i, 1); break; }  // never sent: it simply goes
    if (item.state === "sent") {
      item.undone = true;
      items.push({ kind: "undo", call_id: item.call_id, label: item.label, state: "pending" });
      break;
    }
  }
  saveOutbox(items);
  renderOutbox();
  sendPending();
}

function renderOutbox() {
  const items = loadOutbox().slice(-6).reverse();
  document.getElementById("outbox").replaceChildren(...items.map((item) => {
    const what = (item.kind === "undo" ? "↶ " : "") + item.label;
    if (item.state === "pending") return el("div", { class: "pending" }, t("pending") + "：" + what);
    if (item.state === "refused") return el("div", { class: "refused" }, t("refused") + "：" + what + " — " + item.reason);
    return el("div", { class: "sent" }, "✔ " + t("sent") + "：" + what + (item.seq ? " (#" + item.seq + ")" : ""));
  }));
}

let sending = false;
async function sendPending() {
  if (sending || !token()) return;
  sending = true;
  try {
    for (const item of loadOutbox()) {
      if (item.state !== "pending") continue;
      let answer;
      try {
        answer = item.kind === "undo" ? await api("/api/calls/undo", { call_id: item.call_id })
          : await api("/api/calls", { call_id: item.call_id, bib: item.bib, segment: item.segment, code: item.code, count: item.count });
      } catch (e) { document.getElementById("offline").hidden = false; break; }  // no network: try again later
      if (answer.status === 401) { localStorage.removeItem(KEY.token); showLogin(t("bad_pin")); break; }
      if (answer.status >= 500 || answer.status === 429) break;
      const data = await answer.json();
      const items = loadOutbox();
      const mine = items.find((x) => x.call_id === item.call_id && x.kind === item.kind);
      if (mine) {
        if (data.ok) { mine.state = "sent"; mine.seq = data.seq || data.penalty_id; }
        else { mine.state = "refused"; mine.reason = LANG === "en" ? data.reason_en : data.reason_zh; }
        saveOutbox(items);
      }
      document.getElementById("offline").hidden = true;
    }
  } finally {
    sending = false;
    renderOutbox();
  }
}

document.getElementById("pin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const pin = document.getElementById("pin").value;
  let answer;
  try {
    answer = await fetch("/api/judge/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pin }) });
  } catch (err) { return showLogin(t("offline")); }
  const data = await answer.json();
  if (!answer.ok) return showLogin(LANG === "en" ? data.reason_en : data.reason_zh);
  localStorage.setItem(KEY.token, data.token);
  refreshRiders();
});
document.getElementById("logout").addEventListener("click", () => { localStorage.removeItem(KEY.token); showLogin(); });
document.getElementById("undo").addEventListener("click", undoLast);
window.addEventListener("online", sendPending);

takeTokenFromUrl();
renderOutbox();
if (token()) refreshRiders(); else showLogin();
setInterval(() => { sendPending(); refreshRiders(); }, 2000);
followLive(() => refreshRiders());
