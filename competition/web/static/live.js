// The public live page: on course, latest finishes, next up, standings with the cut line.
"use strict";
let standingsVersion = null;

function renderOnCourse(list) {
  const box = document.getElementById("on-course");
  box.replaceChildren(...(list.length ? list.map((r) => el("div", { class: "clock-card" },
    el("div", { class: "who" }, el("b", {}, "#" + r.bib), " " + r.name + " ", el("span", { class: "unit" }, r.platform || "")),
    el("div", { class: "clock", "data-elapsed-ns": String(r.elapsed_ns) }, r.elapsed),
    el("div", { class: "calls" }, r.penalties.map((c) => named(c, "segment_name") + "·" + named(c, "name") + " ×" + c.count).join(" "),
      r.penalty_ns ? el("b", {}, " " + r.penalty) : null))) : [el("p", { class: "empty" }, t("nobody_on_course"))]));
}

function resultCell(r) {
  if (r.status !== "OK") return el("span", { class: "status status-" + r.status.toLowerCase() }, statusText(r.status));
  return el("span", {}, r.adjusted, el("small", {}, r.raw + " " + r.penalty));
}

function renderLastFinishes(list) {
  const body = document.querySelector("#last-finishes tbody");
  body.replaceChildren(...list.map((r) => el("tr", {},
    el("td", {}, "#" + r.bib), el("td", {}, el("a", { href: "/rider/" + r.bib + "?lang=" + LANG }, r.name)),
    el("td", { class: "num" }, resultCell(r)), el("td", { class: "num" }, r.status === "OK" && r.rank ? r.rank : ""))));
}

function renderNextUp(list) {
  document.getElementById("next-up").replaceChildren(...list.map((r) => el("li", {}, t("track_n", { n: r.track }) + " · #" + r.bib + " " + r.name)));
}

function renderStandings(data) {
  const rows = [];
  data.standings.forEach((s, i) => {
    let cell;
    if (s.status === "OK") cell = s.adjusted_ns === null ? "—" : s.adjusted;
    else cell = el("span", { class: "status status-" + s.status.toLowerCase() }, statusText(s.status));
    rows.push(el("tr", { class: s.qualified ? "qualified" : "" },
      el("td", { class: "num" }, s.status === "OK" && s.rank ? s.rank : ""), el("td", {}, "#" + s.bib),
      el("td", {}, el("a", { href: "/rider/" + s.bib + "?lang=" + LANG }, s.name)), el("td", { class: "unit" }, s.platform || ""),
      el("td", { class: "num" }, cell)));
    const next = data.standings[i + 1];
    if (data.cut && s.qualified && (!next || !next.qualified)) {
      rows.push(el("tr", { class: "cut-line" }, el("td", { colSpan: 5 }, t("cut_line", { cut: data.cut }))));
    }
  });
  document.querySelector("#standings tbody").replaceChildren(...rows);
}

followLive(async (live) => {
  const state = document.getElementById("round-state");
  const text = LANG === "en" ? live.state_en : live.state_zh;
  state.hidden = !text;
  state.textContent = text || "";
  renderOnCourse(live.on_course);
  renderLastFinishes(live.last_finishes);
  renderNextUp(live.next_up);
  if (live.version !== standingsVersion) {
    standingsVersion = live.version;
    try {
      const answer = await fetch("/api/standings");
      if (answer.ok) renderStandings(await answer.json());
    } catch (e) { /* the stream's banner says we are offline */ }
  }
});
