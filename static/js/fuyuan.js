// 府院联动工作平台: behaviour that the pages share. No inline scripts: pages declare data- attributes.
(function () {
  "use strict";
  // A print button (the 送达回证): data-print on a button prints the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
  // Auto-submit filter forms when a select changes (the Filter button still works without JS).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("form[data-autosubmit] select")) {
      el.form.requestSubmit();
    }
  });
  // Confirm irreversible actions: data-confirm="确定印发?…" on a form's submit button (or on the form).
  // Submitting it (click, Enter or Space) opens the page's dialog #fy-confirm, a Bootstrap modal: the focus
  // moves to its accept button ([data-confirm-accept], named after the action), Enter confirms, Esc or 取消
  // cancels and gives the focus back to the button. Without JavaScript the form posts at once: the server
  // checks every action either way.
  var confirmedForm = null;
  var pending = null;

  function acceptLabel(button) {
    var text = button ? (button.textContent || "").trim() || button.getAttribute("aria-label") : "";
    return text || null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || null;
    var holder = button && button.hasAttribute("data-confirm") ? button : form.hasAttribute("data-confirm") ? form : null;
    if (!holder) { return; }
    if (confirmedForm === form) { confirmedForm = null; return; }
    event.preventDefault();
    event.stopPropagation(); // htmx must not send it yet
    var dialog = document.getElementById("fy-confirm");
    if (!dialog || !window.bootstrap) {
      if (window.confirm(holder.getAttribute("data-confirm"))) { confirmedForm = form; form.requestSubmit(button); }
      return;
    }
    pending = { form: form, button: button };
    dialog.querySelector("[data-confirm-text]").textContent = holder.getAttribute("data-confirm");
    var accept = dialog.querySelector("[data-confirm-accept]");
    accept.textContent = acceptLabel(button) || accept.getAttribute("data-default-label");
    window.bootstrap.Modal.getOrCreateInstance(dialog).show(button || undefined);
  }, true);

  document.addEventListener("shown.bs.modal", function (event) {
    if (event.target.id === "fy-confirm") { event.target.querySelector("[data-confirm-accept]").focus(); }
  });

  document.addEventListener("hidden.bs.modal", function (event) {
    if (event.target.id !== "fy-confirm" || !pending) { return; }
    var back = pending;
    pending = null;
    if (back.button && back.button.isConnected) { back.button.focus(); }
  });

  document.addEventListener("click", function (event) {
    var accept = event.target.closest && event.target.closest("#fy-confirm [data-confirm-accept]");
    if (!accept || !pending) { return; }
    var todo = pending;
    pending = null;
    window.bootstrap.Modal.getOrCreateInstance(document.getElementById("fy-confirm")).hide();
    confirmedForm = todo.form;
    todo.form.requestSubmit(todo.button && todo.button.isConnected ? todo.button : undefined);
  });
})();
