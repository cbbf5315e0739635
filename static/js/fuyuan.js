// 府院联动工作平台: behaviour that the pages share. No inline scripts: pages declare data- attributes.
(function () {
  "use strict";
  // Auto-submit filter forms when a select changes (the Filter button still works without JS).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("form[data-autosubmit] select")) {
      el.form.requestSubmit();
    }
  });
  // Confirm dangerous actions: <button data-confirm="...">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest && event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
