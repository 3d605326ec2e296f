/* Search results quote the pages they found. Sphinx takes those quotes from the pages' HTML,
 * where a formula is still its TeX source ("\(\gamma\)"), which MathJax only turns into math on
 * the page itself. Here each formula of a quoted page becomes plain text first ("γ"), so no raw
 * TeX reaches the results. (Sphinx's searchtools.js: Search.htmlToText.) */
(() => {
  const SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ",
    tau: "τ", phi: "φ", varphi: "φ", omega: "ω", Delta: "Δ", Sigma: "Σ", nabla: "∇",
    partial: "∂", propto: "∝", times: "×", cdot: "·", approx: "≈", leq: "≤", le: "≤",
    geq: "≥", ge: "≥", neq: "≠", infty: "∞", to: "→", rightarrow: "→", sum: "Σ", in: "∈",
    sqrt: "√", odot: "⊙", ldots: "…", dots: "…", cdots: "⋯",
  };
  const plain = (tex) => tex
    .replace(/\\[()[\]]/g, "")
    .replace(/\\([A-Za-z]+)/g, (_, name) => SYMBOLS[name] ?? (/^(mathbf|mathrm|text|operatorname|left|right|frac|big|Big|bigl|bigr)$/.test(name) ? "" : name))
    .replace(/\\[,;:! ]/g, " ")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const mathAsText = (htmlString) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(".math").forEach((element) => { element.textContent = plain(element.textContent); });
    return doc.documentElement.outerHTML;
  };
  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => htmlToText(mathAsText(htmlString), anchor);
  });
})();
