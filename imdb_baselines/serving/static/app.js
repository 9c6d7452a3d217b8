"use strict";
// The page: asks /models and /report once, then /predict for the review typed; no outside resources.
const state = { models: {}, classes: [], names: {}, noun: "review" };
const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "style") Object.assign(node.style, value);  // through the CSSOM: the page's CSP allows no inline styles
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const pct = (x, digits = 1) => (x === null || x === undefined) ? "–" : (100 * x).toFixed(digits) + " %";

async function getJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : body.detail;
    throw new Error(detail || `${response.status} ${response.statusText}`);
  }
  return body;
}

// A label as people read it: IMDB's 0 and 1 are "negative" and "positive"; other data sets' labels are names.
const shown = (label) => state.names[String(label)] ?? String(label);

function labelClass(label, classes) {
  if (classes.length !== 2) return "";
  return String(label) === String(classes[1]) ? "pos" : "neg";
}

// Each word's share of the n-grams that pushed the prediction: positive toward the answer, negative against.
function wordWeights(explanation) {
  const weights = new Map();
  for (const [ngram, contribution] of [...explanation.toward, ...explanation.against]) {
    const words = ngram.split(" ");
    for (const word of words) weights.set(word, (weights.get(word) || 0) + contribution / words.length);
  }
  return weights;
}

const TOKEN = /[\p{L}\p{N}]+(?:['\u2019\u2018`][\p{L}\p{N}]+)*/gu;

function highlighted(text, explanation) {
  const weights = wordWeights(explanation);
  const out = el("p", { class: "evidence" });
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out.append(text.slice(last, match.index));
    const word = match[0].toLowerCase().replace(/[\u2019\u2018`]/g, "'");
    const weight = weights.get(word);
    if (weight) {
      const toward = weight > 0;
      out.append(el("mark", { class: toward ? "toward" : "against",
        title: `${toward ? "toward" : "against"} this answer (${weight.toFixed(3)})` }, match[0]));
    } else {
      out.append(match[0]);
    }
    last = match.index + match[0].length;
  }
  out.append(text.slice(last));
  return out;
}

function renderAnswer(answer, text) {
  const description = state.models[answer.model] || {};
  const classes = description.classes || state.classes;
  const row = el("article", { class: "answer", "data-model": answer.model });
  const accuracy = answer.test_accuracy != null ? `test accuracy ${pct(answer.test_accuracy)}` : "";
  if (answer.status !== 200) {
    row.append(el("div", { class: "answer-head" }, el("span", { class: "model-name" }, answer.model),
      el("span", { class: "failed" }, `failed: ${answer.error}`)));
    return row;
  }
  const prediction = answer.predictions[0];
  const probability = prediction.probability;
  const bar = el("div", { class: "bar", role: "img",
    "aria-label": probability == null ? "no probability" : `probability ${pct(probability)}` });
  bar.append(el("div", { style: { width: `${probability == null ? 0 : (100 * probability).toFixed(1)}%` } }));
  row.append(el("div", { class: "answer-head" },
    el("span", { class: "model-name" }, answer.model),
    el("span", { class: `label ${labelClass(prediction.label, classes)}`, title: `label ${prediction.label}` },
      shown(prediction.label)),
    el("span", { class: "probability" }, probability == null ? "no probability" : pct(probability)),
    bar,
    el("span", { class: "meta" }, accuracy)));
  if (prediction.explanation) {
    row.append(highlighted(text, prediction.explanation));
  } else if (description.estimator === "KerasTextClassifier") {
    row.append(el("p", { class: "meta" }, "A neural model: no word-level explanation is given."));
  }
  return row;
}

async function classify(event) {
  event.preventDefault();
  const text = $("#review").value;
  const status = $("#status");
  status.className = "";
  if (!text.trim()) {
    status.textContent = `Type a ${state.noun} first.`;
    status.className = "error";
    $("#review").focus();
    return;
  }
  status.textContent = "Classifying…";
  $("#classify").disabled = true;
  $("#results").replaceChildren();  // answers to an earlier text never stand under this one's error
  try {
    const body = await getJson("/predict", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text, explain: 10 }) });
    const results = $("#results");
    results.replaceChildren(...body.answers.map((answer) => renderAnswer(answer, text)));
    if (body.answers.some((a) => a.predictions && a.predictions[0].explanation)) {
      results.append(el("p", { class: "meta" }, "Highlighted: words of the n-grams that pushed a linear model ",
        el("mark", { class: "toward" }, "toward"), " or ", el("mark", { class: "against" }, "against"),
        " its answer (whichever class that is)."));
    }
    status.textContent = `${body.answers.length} models answered.`;
  } catch (error) {
    status.textContent = `Error: ${error.message}`;
    status.className = "error";
  } finally {
    $("#classify").disabled = false;
  }
}

// Wording and examples from the data set served: reviews for IMDB, texts (and their own examples) otherwise.
function renderDataset(report) {
  state.names = report.class_names || {};
  state.noun = report.texts_are || "text";
  for (const node of document.querySelectorAll(".noun")) node.textContent = state.noun;
  $("#review-label").textContent = state.noun === "review" ? "Review text" : "Text";
  $("#review").placeholder = `Type or paste a ${state.noun}, then press Classify (Ctrl+Enter).`;
  if (report.examples && report.examples.length) {
    $("#examples").replaceChildren(el("span", {}, "Test texts of each class:"), ...report.examples.map((example) =>
      el("button", { type: "button", class: "example", "data-text": example.text,
        title: `a test text labelled ${shown(example.label)}` }, shown(example.label))));
  } else if (state.noun !== "review") {
    $("#examples").replaceChildren();  // the movie reviews below would not fit another data set
  }
}

function renderReport(report) {
  renderDataset(report);
  if (report.dataset) $("#dataset").textContent = `Models trained on ${report.dataset}; every one answers the same text.`;
  state.classes = report.classes || state.classes;
  const multiclass = state.classes.length > 2;
  if (multiclass) $("#f1-heading").textContent = "Macro F1";
  const body = $("#leaderboard tbody");
  const rows = report.leaderboard.length ? report.leaderboard : Object.values(state.models).map((m) => ({
    model: m.name, accuracy: m.test_metrics.accuracy?.value, accuracy_ci_low: m.test_metrics.accuracy?.ci_low,
    accuracy_ci_high: m.test_metrics.accuracy?.ci_high, f1: m.test_metrics.f1?.value,
    macro_f1: m.test_metrics.macro_f1?.value, brier: m.brier,
    fit_s: m.fit_s, model_mib: m.saved_bytes / 2 ** 20 }));
  const points = (x) => (x === null || x === undefined) ? "–" : (100 * x).toFixed(2);
  const lists = [...new Set(rows.map((row) => row.stopwords))];
  if (lists.length > 1) {  // a stopword ablation: a row per model and list; the first list's models answer here
    $("#leaderboard-note").textContent += ` A row per model and stopword list; the models answering are the ` +
      `${lists[0]} list's.`;
  }
  body.replaceChildren(...rows.map((row) => {
    const interval = row.accuracy_ci_low != null ?
      el("span", { class: "interval" }, ` ${points(row.accuracy_ci_low)}–${points(row.accuracy_ci_high)}`) : "";
    const fit = row.fit_s == null ? "–" : row.fit_s < 10 ? `${Number(row.fit_s).toFixed(1)} s` :
      `${Math.round(row.fit_s)} s`;
    const list = lists.length > 1 ?
      el("span", { class: "interval" }, `stopwords: ${row.stopwords}${row.served ? "" : ", not served"}`) : "";
    return el("tr", {}, el("th", { scope: "row" }, row.model, list),
      el("td", { class: "num" }, points(row.accuracy), interval),
      el("td", { class: "num" }, points(multiclass ? row.macro_f1 : row.f1)),
      el("td", { class: "num" }, row.brier == null ? "–" : row.brier.toFixed(3)),
      el("td", { class: "num" }, fit),
      el("td", { class: "num" }, row.model_mib == null ? "–" : row.model_mib < 1 ? "< 1 MiB" :
        `${Math.round(row.model_mib)} MiB`));
  }));
  $("#figures").replaceChildren(...report.figures.map((src) => {
    const name = src.split("/").pop().replace(/\.png$/, "").replace(/_/g, " ");
    return el("figure", {}, el("a", { href: src, target: "_blank", rel: "noopener", title: "open full size" },
      el("img", { src, alt: `Report figure: ${name}`, loading: "lazy" })), el("figcaption", {}, name));
  }));
}

async function start() {
  $("#review-form").addEventListener("submit", classify);
  $("#examples").addEventListener("click", (event) => {  // the examples are replaced once the data set is known
    const button = event.target.closest(".example");
    if (button) { $("#review").value = button.dataset.text; $("#review").focus(); }
  });
  $("#review").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) classify(event);
  });
  try {
    const models = await getJson("/models");
    for (const model of models.models) state.models[model.name] = model;
    state.classes = models.models[0]?.classes || [];
    renderReport(await getJson("/report"));
    if (Object.keys(models.failed_to_load).length) {
      $("#status").textContent = `Not served (failed to load): ${Object.keys(models.failed_to_load).join(", ")}`;
    }
  } catch (error) {
    $("#status").textContent = `Error: ${error.message}`;
    $("#status").className = "error";
  }
}

start();
