/* A signature drawn with a finger, pen or mouse on a <canvas>, kept as compact SVG path data
   ("M x y L x y ...", integers in a 600 x 300 box) in a hidden input. Typing a card code clears the
   signature and drawing clears the code: the server takes one or the other. No dependencies. */
(function () {
  "use strict";
  var W = 600, H = 300, MAX = 19000;
  document.querySelectorAll("[data-signature]").forEach(function (box) {
    var canvas = box.querySelector("canvas"), out = box.querySelector("[data-path]");
    var form = box.closest("form"), code = form && form.querySelector(".ec-code");
    var ctx = canvas.getContext("2d"), path = "", down = false, last = null;
    box.hidden = false;
    ctx.lineWidth = 5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#000";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [Math.round((e.clientX - r.left) * W / r.width), Math.round((e.clientY - r.top) * H / r.height)];
    }
    function clear() {
      path = ""; last = null; out.value = ""; ctx.clearRect(0, 0, W, H);
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      if (code && code.value) { code.value = ""; }
      down = true; last = point(e);
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* ignore */ } }
      path += (path ? " " : "") + "M" + last[0] + " " + last[1];
      ctx.beginPath(); ctx.moveTo(last[0], last[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!down) { return; }
      var p = point(e);
      if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 3 || path.length > MAX) { return; }
      path += " L" + p[0] + " " + p[1]; last = p;
      ctx.lineTo(p[0], p[1]); ctx.stroke();
      out.value = path;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { down = false; out.value = /L/.test(path) ? path : ""; });
    });
    box.querySelector("[data-clear]").addEventListener("click", clear);
    if (code) { code.addEventListener("input", function () { if (code.value && path) { clear(); } }); }
  });
})();
