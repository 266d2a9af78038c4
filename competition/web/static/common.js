// Shared by every venue page: words, safe DOM building (text only, never HTML), clocks, the live stream.
"use strict";
const WORDS = JSON.parse(document.getElementById("words").textContent);
const LANG = document.body.dataset.lang === "en" ? "en" : "zh";

function t(key, values) {
  let text = WORDS[key] || key;
  for (const [k, v] of Object.entries(values || {})) text = text.replace("{" + k + "}", String(v));
  return text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function named(item, base) {
  return LANG === "en" ? item[base + "_en"] : item[base + "_zh"];
}

// A duration as the referee's screen shows it, truncated to 1/100 s: 9.87, 1:02.34.
function formatNs(ns) {
  const cs = Math.floor(ns / 1e7);
  const minutes = Math.floor(cs / 6000);
  const seconds = Math.floor((cs % 6000) / 100);
  const hundredths = String(cs % 100).padStart(2, "0");
  return minutes ? minutes + ":" + String(seconds).padStart(2, "0") + "." + hundredths : seconds + "." + hundredths;
}

// Running clocks: each element with data-elapsed-ns runs on from when the page got it.
let clockBase = performance.now();
function runClocks() {
  const delta = (performance.now() - clockBase) * 1e6;
  for (const node of document.querySelectorAll("[data-elapsed-ns]")) {
    node.textContent = formatNs(Number(node.dataset.elapsedNs) + delta);
  }
}
setInterval(runClocks, 100);

function statusText(s) { return t(s); }

// The live stream: calls onLive(live) for every new snapshot; shows a banner while disconnected.
function followLive(onLive) {
  const banner = document.getElementById("offline");
  const source = new EventSource("/api/events");
  source.addEventListener("live", (msg) => {
    const data = JSON.parse(msg.data);
    banner.hidden = true;
    clockBase = performance.now() - data.age_ns / 1e6;
    onLive(data.live);
    runClocks();
  });
  source.onerror = () => { banner.hidden = false; };
  return source;
}
