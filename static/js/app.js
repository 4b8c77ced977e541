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
  // Dialogs. A link with data-dialog="url" works as a plain link without JavaScript (to a page
  // of its own); with it, the url's fragment is fetched into one native <dialog>. Focus moves
  // into it, Escape closes it (native), and focus returns to the element named by the
  // opener's data-dialog-return, else to the opener, else stays where htmx put it.
  function appDialog() {
    var dialog = document.getElementById("app-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "app-dialog";
    dialog.className = "app-dialog";
    dialog.addEventListener("close", function () {
      var back = dialog.returnFocusTo;
      dialog.returnFocusTo = null;
      dialog.replaceChildren();
      if (back && back.isConnected) back.focus();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("a[data-dialog]");
    if (!opener || !window.htmx || !window.HTMLDialogElement) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    var dialog = appDialog();
    var picker = opener.closest(".person-picker");
    dialog.returnFocusTo = (picker && picker.querySelector("select")) || opener;
    window.htmx.ajax("GET", opener.dataset.dialog, { target: dialog, swap: "innerHTML" }).then(function () {
      var heading = dialog.querySelector("h1, h2, h3");
      if (heading && heading.id) dialog.setAttribute("aria-labelledby", heading.id);
      if (!dialog.open) dialog.showModal();
      var first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button");
      if (first) first.focus();
    });
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-dialog-close]");
    var dialog = closer && closer.closest("dialog");
    if (!dialog) return;
    event.preventDefault();
    dialog.close();
  });

  // A form in the dialog marked data-dialog-done updates the page: once it succeeded, the
  // dialog is done. (A form whose errors come back into the dialog has no such mark.)
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.matches || !elt.matches("[data-dialog-done]") || !event.detail.successful) return;
    var dialog = elt.closest("dialog");
    if (!dialog) return;
    dialog.returnFocusTo = null;  // the opener may be gone; the settle handler places focus
    dialog.close();
  });

  // A person added from a picker's dialog: every person picker of the page lists them, and the
  // picker that asked selects them.
  document.addEventListener("person-created", function (event) {
    var person = event.detail || {};
    if (!person.id) return;
    var dialog = document.getElementById("app-dialog");
    var asking = dialog && dialog.returnFocusTo;
    document.querySelectorAll("select[data-person-picker]").forEach(function (select) {
      var option = select.querySelector('option[value="' + person.id + '"]');
      if (!option) {
        option = new Option(person.name, person.id);
        select.add(option);
      }
      if (select === asking) {
        select.value = String(person.id);
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    if (dialog && dialog.open) dialog.close();
  });
})();
