// Small enhancements for every page; the pages work without them.
// Wide tables: wrap each in a labelled region that takes keyboard focus, so it can be scrolled with the
// arrow keys, and show a shadow at an edge where more columns are hidden.
(function () {
  "use strict";
  function labelFor(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var el = table.previousElementSibling;
    while (el) {
      if (/^H[1-6]$/.test(el.tagName) && el.textContent.trim()) return el.textContent.trim();
      el = el.previousElementSibling;
    }
    var heading = document.querySelector("main h1");
    return heading ? heading.textContent.trim() : "";
  }
  function cue(region) {
    var more = region.scrollWidth - region.clientWidth - region.scrollLeft > 2;
    region.classList.toggle("more-right", more);
    region.classList.toggle("more-left", region.scrollLeft > 2);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var hint = document.body.getAttribute("data-table-hint") || "";
    document.querySelectorAll("main table").forEach(function (table) {
      var region = table.parentElement;
      if (!region.classList.contains("table-scroll")) {
        region = document.createElement("div");
        region.className = "table-scroll";
        table.parentElement.insertBefore(region, table);
        region.appendChild(table);
      }
      // a wrapper written in the template gets the same keyboard reach and name as one made here
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "0");
      if (!region.hasAttribute("role")) region.setAttribute("role", "region");
      if (!region.hasAttribute("aria-label")) region.setAttribute("aria-label", (labelFor(table) + " " + hint).trim());
      region.addEventListener("scroll", function () { cue(region); }, { passive: true });
      cue(region);
    });
    window.addEventListener("resize", function () {
      document.querySelectorAll(".table-scroll").forEach(cue);
    });
  });
})();

// Elder mode: the menu sits behind one button. Without this script the menu simply stays open.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!toggle || !menu) return;
    function set(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.hidden = !open;
    }
    set(false);
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      set(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        set(false);
        toggle.focus();
      }
    });
  });
})();
