// A signature pad on a <canvas> (no library): pointer events cover mouse,
// pen and touch. On submit the drawing goes into the hidden "signature"
// field as a PNG data URL; an untouched pad sends nothing (the typed name
// is the alternative). Unticked alternatives of another option are unticked
// when an option is chosen.
(function () {
  "use strict";
  const canvas = document.getElementById("signature-pad");
  const form = document.getElementById("sign-form");
  if (!canvas || !form) return;
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const p = point(event);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    const p = point(event);
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawn = true;
    event.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  });

  function syncAlternatives() {
    const chosen = form.querySelector('input[name="alternative"]:checked');
    form.querySelectorAll('input[name="item_ids"]').forEach(function (box) {
      const label = box.dataset.alternative;
      if (label) box.checked = chosen ? label === chosen.value : false;
    });
  }
  form.querySelectorAll('input[name="alternative"]').forEach(function (radio) {
    radio.addEventListener("change", syncAlternatives);
  });
  syncAlternatives();

  form.addEventListener("submit", function () {
    document.getElementById("signature-data").value = drawn
      ? canvas.toDataURL("image/png")
      : "";
  });
})();
