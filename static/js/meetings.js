// Meetings: drag agenda rows to reorder them. Without JavaScript the up/down buttons (plain POST forms) do it.
(function () {
  "use strict";
  var dragged = null;

  function sortableBody(el) {
    return el && el.closest ? el.closest("tbody[data-agenda-sortable]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-item-id]");
    if (!row || !sortableBody(row)) { return; }
    dragged = row;
    row.classList.add("fy-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.getAttribute("data-item-id"));
  });

  document.addEventListener("dragover", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-item-id]");
    if (!dragged || !row || sortableBody(row) !== sortableBody(dragged) || row === dragged) { return; }
    event.preventDefault();
    var box = row.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
  });

  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var body = sortableBody(dragged);
    dragged.classList.remove("fy-dragging");
    dragged = null;
    if (!body || !window.htmx) { return; }
    var ids = Array.prototype.map.call(body.querySelectorAll("tr[data-item-id]"), function (tr) {
      return tr.getAttribute("data-item-id");
    });
    window.htmx.ajax("POST", body.getAttribute("data-reorder-url"), {
      source: body,
      target: "#agenda",
      swap: "outerHTML",
      values: { order: ids.join(",") }
    });
  });
})();
