// The big screen: live (on course, last finish with provisional rank, top 10, next up) or the award ceremony.
"use strict";
const params = new URLSearchParams(location.search);
const mode = params.get("mode") === "awards" ? "awards" : "live";

function renderBoard(live) {
  const onCourse = live.on_course.map((r) => el("div", { class: "clock-card" },
    el("div", { class: "who" }, "#" + r.bib + " " + r.name + (r.penalty_ns ? "  " + r.penalty : "")),
    el("div", { class: "clock", "data-elapsed-ns": String(r.elapsed_ns) }, r.elapsed)));
  document.getElementById("on-course").replaceChildren(...(onCourse.length ? onCourse : [el("p", { class: "empty" }, t("nobody_on_course"))]));
  const last = live.last_finishes[0];
  document.getElementById("last-finish").replaceChildren(last ? el("div", {},
    "#" + last.bib + " " + last.name + "  ", last.status === "OK" ? last.adjusted : statusText(last.status),
    last.status === "OK" && last.rank ? el("div", {}, t("provisional_rank", { rank: last.rank })) : null) : "");
  document.getElementById("next-up").replaceChildren(...live.next_up.slice(0, 5).map((r) => el("li", {}, "#" + r.bib + " " + r.name)));
}

async function renderTop10() {
  const answer = await fetch("/api/standings");
  if (!answer.ok) return;
  const data = await answer.json();
  const top = data.standings.filter((s) => s.status === "OK" && s.rank && s.adjusted_ns !== null).slice(0, 10);
  document.getElementById("top10").replaceChildren(...top.map((s) => el("li", {}, s.rank + ". #" + s.bib + " " + s.name + "  " + s.adjusted)));
}

// The ceremony: the lowest prize first; Space / → next, ← back.
let prizes = [];
let shown = 0;
function showPrize() {
  const note = document.getElementById("prize-note");
  if (!prizes.length) return;
  const p = prizes[shown];
  document.getElementById("prize-name").textContent = named(p, "prize");
  document.getElementById("prize-winners").replaceChildren(...p.winners.map((w) => el("li", {}, "#" + w.bib + " " + w.name,
    el("small", {}, [w.platform, w.station].filter(Boolean).join(" · ") + (w.result ? "  " + w.result : "")))));
  note.textContent = (shown + 1) + " / " + prizes.length;
}
async function loadAwards() {
  const answer = await fetch("/api/awards");
  const data = await answer.json();
  prizes = data.prizes;
  if (!prizes.length) {
    document.getElementById("prize-name").textContent = t("not_ready");
    document.getElementById("prize-note").textContent = LANG === "en" ? data.why_en : data.why_zh;
    return;
  }
  shown = Math.min(shown, prizes.length - 1);
  showPrize();
}
document.addEventListener("keydown", (e) => {
  if (mode !== "awards" || !prizes.length) return;
  if (e.key === " " || e.key === "ArrowRight" || e.key === "PageDown") shown = Math.min(prizes.length - 1, shown + 1);
  else if (e.key === "ArrowLeft" || e.key === "PageUp") shown = Math.max(0, shown - 1);
  else return;
  e.preventDefault();
  showPrize();
});

let seen = null;
followLive((live) => {
  if (mode === "awards") {
    if (live.version !== seen) loadAwards();
  } else {
    renderBoard(live);
    if (live.version !== seen) renderTop10();
  }
  seen = live.version;
});
