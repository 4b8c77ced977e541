// The one script of the app: draws every chart from its JSON, and small behaviours that
// CSP forbids inline. htmx itself is loaded before this file.
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.Plotly) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      // No mode bar: its buttons would sit in the tab order inside a role="img" element;
      // the numbers are in the table under each chart.
      var config = { responsive: true, displayModeBar: false };
      window.Plotly.newPlot(el, figure.data || [], figure.layout || {}, config);
      el.dataset.drawn = "1";
    });
  }

  function loadPlotlyThenDraw(root) {
    // An empty state marked data-chart-soon loads Plotly too: its chart arrives by htmx.
    if (!root.querySelector("[data-chart], [data-chart-soon]")) return;
    if (window.Plotly) { drawCharts(root); return; }
    var existing = document.getElementById("plotly-script");
    if (existing) { existing.addEventListener("load", function () { drawCharts(document); }); return; }
    var script = document.createElement("script");
    script.id = "plotly-script";
    script.src = document.documentElement.dataset.plotlySrc || "/static/vendor/plotly-strict.min.js";
    script.addEventListener("load", function () { drawCharts(document); });
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () { loadPlotlyThenDraw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { loadPlotlyThenDraw(event.target); });

  // htmx swaps no 4xx/5xx answer; one the server retargeted (HX-Retarget) is meant to be
  // shown, e.g. "Exports are unavailable right now" with its 503.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Reset a create form after htmx appended what it made; errors come back as the form.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-reset-on-success]") && event.detail.successful
        && event.detail.target && event.detail.target !== form) {
      form.reset();
      // Back to the first field for the next one, unless the person is already in a field.
      if (!inAField()) {
        var first = form.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      }
    }
  });

  // Focus moves after a swap only when the swap took it away (the button or link the person
  // used was replaced): never away from a field they are in, even if they got there before
  // htmx settled.
  function focusWasLost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function inAField() {
    var active = document.activeElement;
    return !!active && active.isConnected && active.matches("input, select, textarea");
  }

  // An inline edit form takes focus when it appears, so keyboard users land in it: on the
  // first field with an error if it came back with errors, else on its first field.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusWasLost()) return;
    var form = event.target.querySelector ? event.target.querySelector("form[data-autofocus]") : null;
    if (!form && event.target.matches && event.target.matches("form[data-autofocus]")) form = event.target;
    if (form) {
      var first = form.querySelector("[aria-invalid=true]")
        || form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    }
  });

  // When a swap removes the focused element (Save, Cancel, Revoke…), keyboard and screen-reader
  // users would be thrown back to the top of the page: keep them where the content changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusWasLost()) return;
    var target = event.detail.target;
    if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
    if (!target || !target.isConnected) return;
    var focusable = target.matches("a[href], button, input, select, textarea") ? target
      : target.querySelector("a[href], button:not([disabled]), input:not([type=hidden]), select, textarea");
    if (!focusable) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      focusable = target;
    }
    focusable.focus();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    input.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(function () { button.textContent = "Copied"; });
    }
  });

  // Print buttons are hidden until this script can make them work.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
