// The chart page: picking teeth and surfaces on the odontogram (mouse or
// keyboard), the procedure code type-ahead, and the history toggle. The
// form underneath is a plain form (a tooth select, surface checkboxes): this
// script only keeps the drawing and the form in step. htmx posts the form
// and swaps the redrawn chart in (#chart-area), so everything is set up
// again on every swap.
(() => {
  "use strict";
  const SURFACE_KEYS = { m: "M", o: "O", i: "O", d: "D", b: "B", f: "B", l: "L", v: "V" };
  // The location fields each treatment area uses (dental/areas.py).
  const AREA_FIELDS = {
    mouth: [], arch: ["arch"], quadrant: ["quadrant"], sextant: ["sextant"],
    tooth: ["tooth"], surface: ["tooth", "surface"], tooth_range: ["tooth", "tooth_range"],
  };

  function setup(area) {
    const svg = area.querySelector("svg.odontogram");
    const form = area.querySelector("#chart-form");
    const toggle = area.querySelector("#history-toggle");
    if (toggle) {
      toggle.addEventListener("click", () => {
        const table = area.querySelector("#entries-table");
        const on = table.classList.toggle("show-history");
        toggle.setAttribute("aria-pressed", String(on));
      });
    }
    if (!svg) return;
    const teeth = Array.from(svg.querySelectorAll(".tooth"));
    if (!form) {
      // Read only: a tooth still highlights its entries.
      teeth.forEach((g) => g.addEventListener("click", () => highlightEntries(area, g.dataset.tooth)));
      return;
    }
    const toothSelect = form.querySelector("[name=tooth]");
    const toothTo = form.querySelector("[name=tooth_to]");
    const boxes = () => Array.from(form.querySelectorAll("[name=surfaces]"));
    const selection = form.querySelector("#chart-selection");
    // The selected tooth's surfaces, large: a phone's finger hits them.
    const picker = form.querySelector("[data-picker]");

    function toothOf(fdi) { return svg.querySelector(`.tooth[data-tooth="${fdi}"]`); }

    function picked() { return boxes().filter((b) => b.checked).map((b) => b.value); }

    function redraw() {
      const fdi = toothSelect.value;
      const chosen = new Set(picked());
      teeth.forEach((g) => {
        const on = g.dataset.tooth === fdi;
        g.classList.toggle("selected", on);
        g.setAttribute("aria-pressed", String(on));
        g.querySelectorAll(".surface").forEach((s) => s.classList.toggle("picked", on && chosen.has(s.dataset.surface)));
      });
      const g = fdi ? toothOf(fdi) : null;
      drawPicker(g, chosen);
      if (!g) {
        selection.textContent = selection.dataset.empty;
        return;
      }
      const anterior = g.dataset.anterior === "1";
      const letters = picked().map((l) => (anterior && l === "O" ? "I" : l)).join("");
      let text = `${g.dataset.name}${letters ? " " + letters : ""}`;
      if (toothTo && toothTo.value && toothOf(toothTo.value)) text += ` – ${toothOf(toothTo.value).dataset.name}`;
      selection.textContent = text;
      highlightEntries(area, fdi);
    }

    function drawPicker(g, chosen) {
      if (!picker) return;
      picker.classList.toggle("inactive", !g);
      if (!g) return;
      const upper = g.dataset.upper === "1";
      const right = g.dataset.right === "1";
      const letters = {
        top: upper ? "B" : "L", bottom: upper ? "L" : "B",
        left: right ? "D" : "M", right: right ? "M" : "D", center: "O", band: "V",
      };
      const anterior = g.dataset.anterior === "1";
      picker.querySelectorAll("[data-pick]").forEach((shape) => {
        const letter = letters[shape.dataset.pick];
        shape.dataset.surface = letter;
        shape.classList.toggle("picked", chosen.has(letter));
        const label = picker.querySelector(`[data-for="${shape.dataset.pick}"]`);
        if (label) label.textContent = anterior && letter === "O" ? "I" : letter;
      });
    }

    if (picker) {
      picker.addEventListener("click", (event) => {
        const shape = event.target.closest("[data-pick]");
        if (shape && toothSelect.value && shape.dataset.surface) {
          toggleSurface(toothSelect.value, shape.dataset.surface);
        }
      });
    }

    function selectTooth(fdi, { range = false } = {}) {
      if (range && toothSelect.value && toothSelect.value !== fdi && toothTo) {
        toothTo.value = fdi;
      } else {
        if (toothSelect.value !== fdi) {
          boxes().forEach((b) => { b.checked = false; });
          if (toothTo) toothTo.value = "";
        }
        toothSelect.value = fdi;
      }
      redraw();
    }

    function toggleSurface(fdi, letter) {
      if (toothSelect.value !== fdi) selectTooth(fdi);
      const box = boxes().find((b) => b.value === letter);
      if (box) box.checked = !box.checked;
      redraw();
    }

    svg.addEventListener("click", (event) => {
      const g = event.target.closest(".tooth");
      if (!g) return;
      const surface = event.target.closest(".surface");
      if (surface && !event.shiftKey) toggleSurface(g.dataset.tooth, surface.dataset.surface);
      else selectTooth(g.dataset.tooth, { range: event.shiftKey });
      g.focus({ preventScroll: true });
    });

    svg.addEventListener("keydown", (event) => {
      const g = event.target.closest(".tooth");
      if (!g || event.ctrlKey || event.metaKey || event.altKey) return;
      const key = event.key;
      if (key === "Enter" || key === " ") {
        event.preventDefault();
        selectTooth(g.dataset.tooth, { range: event.shiftKey });
        return;
      }
      const letter = SURFACE_KEYS[key.toLowerCase()];
      if (letter) {
        event.preventDefault();
        toggleSurface(g.dataset.tooth, letter);
        return;
      }
      const next = neighbour(g, key);
      if (next) {
        event.preventDefault();
        next.focus();
      }
    });

    function neighbour(g, key) {
      const row = Number(g.dataset.row);
      const x = Number(g.dataset.x);
      const inRow = (r) => teeth.filter((t) => Number(t.dataset.row) === r);
      if (key === "ArrowLeft" || key === "ArrowRight") {
        const same = inRow(row);
        const i = same.indexOf(g) + (key === "ArrowLeft" ? -1 : 1);
        return same[i] || null;
      }
      if (key === "Home") return inRow(row)[0];
      if (key === "End") return inRow(row).at(-1);
      if (key === "ArrowUp" || key === "ArrowDown") {
        const other = inRow(row + (key === "ArrowUp" ? -1 : 1));
        if (!other.length) return null;
        return other.reduce((best, t) => (Math.abs(t.dataset.x - x) < Math.abs(best.dataset.x - x) ? t : best));
      }
      return null;
    }

    toothSelect.addEventListener("change", () => {
      boxes().forEach((b) => { b.checked = false; });
      redraw();
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "surfaces" || event.target.name === "tooth_to") redraw();
      if (event.target.name === "kind") showKind();
    });

    // Which fields the chosen kind and code need.
    const codeInput = form.querySelector("[name=code_query]");
    const codeId = form.querySelector("[name=procedure_code]");
    const options = form.querySelector("#code-options");
    const areaHint = form.querySelector("#code-area");

    function showArea(areaName) {
      const wanted = AREA_FIELDS[areaName];
      form.querySelectorAll("[data-area-field]").forEach((el) => {
        const on = wanted ? wanted.includes(el.dataset.areaField) : ["tooth", "surface"].includes(el.dataset.areaField);
        el.hidden = !on;
        el.querySelectorAll("input, select").forEach((input) => { input.disabled = !on; });
      });
    }

    function showKind() {
      const kind = (form.querySelector("[name=kind]:checked") || {}).value || "procedure";
      form.querySelectorAll("[data-kind]").forEach((el) => {
        const on = el.dataset.kind === kind;
        el.hidden = !on;
        el.querySelectorAll("input, select").forEach((input) => { input.disabled = !on; });
      });
      if (kind === "procedure") {
        showArea(codeInput.dataset.area || null);
      } else {
        // A condition sits on a tooth, its surfaces, or a range.
        form.querySelectorAll("[data-area-field]").forEach((el) => {
          const on = ["tooth", "surface", "tooth_range"].includes(el.dataset.areaField);
          el.hidden = !on;
          el.querySelectorAll("input, select").forEach((input) => { input.disabled = !on; });
        });
      }
    }

    function chooseCode(button) {
      codeId.value = button.dataset.codeId;
      codeInput.value = button.dataset.code;
      codeInput.dataset.area = button.dataset.area;
      areaHint.textContent = button.dataset.areaLabel ? `${areaHint.dataset.prefix} ${button.dataset.areaLabel}` : "";
      options.innerHTML = "";
      codeInput.setAttribute("aria-expanded", "false");
      showKind();
      codeInput.focus();
    }

    codeInput.addEventListener("input", () => {
      codeId.value = "";
      delete codeInput.dataset.area;
      areaHint.textContent = "";
    });
    codeInput.addEventListener("keydown", (event) => {
      const first = options.querySelector(".code-option");
      if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        first.focus();
      } else if (event.key === "Enter" && first && !codeId.value) {
        // Enter in the search picks the first match rather than submitting.
        event.preventDefault();
        chooseCode(first);
      } else if (event.key === "Escape") {
        options.innerHTML = "";
      }
    });
    options.addEventListener("click", (event) => {
      const button = event.target.closest(".code-option");
      if (button) chooseCode(button);
    });
    options.addEventListener("keydown", (event) => {
      const button = event.target.closest(".code-option");
      if (!button) return;
      const all = Array.from(options.querySelectorAll(".code-option"));
      const i = all.indexOf(button);
      if (event.key === "ArrowDown" && all[i + 1]) { event.preventDefault(); all[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (all[i - 1] || codeInput).focus(); }
      if (event.key === "Escape") { options.innerHTML = ""; codeInput.focus(); }
    });
    options.addEventListener("htmx:afterSwap", () => {
      codeInput.setAttribute("aria-expanded", String(!!options.querySelector(".code-option")));
    });
    form.addEventListener("reset", () => {
      setTimeout(() => {
        codeId.value = "";
        delete codeInput.dataset.area;
        areaHint.textContent = "";
        options.innerHTML = "";
        showKind();
        redraw();
      });
    });

    showKind();
    redraw();
  }

  function highlightEntries(area, fdi) {
    area.querySelectorAll("#entries-table tr.entry").forEach((tr) => {
      tr.classList.toggle("highlight", !!fdi && tr.dataset.tooth === fdi);
    });
  }

  // The form's errors come back as a 400 with the redrawn chart: show them.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "chart-area") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A redrawn chart (an outerHTML swap of #chart-area) is set up again.
  document.addEventListener("htmx:load", (event) => {
    const elt = event.detail.elt;
    if (elt.matches && elt.matches("[data-chart]")) setup(elt);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chart]").forEach(setup);
    document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
  });
})();
