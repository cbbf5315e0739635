// Unit pickers (members.widgets.UnitPicker / UnitsPicker): each select[data-unit-picker] becomes a
// Tom Select that searches GET /units/search/ as you type, 20 units a page (more on scrolling), grouped
// by level and region. The page renders only the selected units; without JavaScript the select keeps them.
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  function withParams(url, params) {
    var sep = url.indexOf("?") === -1 ? "?" : "&";
    return url + sep + Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }

  function init(select) {
    if (select.tomselect) { return; }
    var url = select.getAttribute("data-search-url");
    var multiple = select.getAttribute("data-unit-picker") === "multiple";
    var noResults = select.getAttribute("data-no-results") || "";
    var loading = select.getAttribute("data-loading") || "";
    var plugins = ["virtual_scroll"];
    if (multiple) { plugins.push("remove_button"); }
    // A list filter (members.widgets.unit_filter) may be emptied back to "all".
    if (!multiple && select.hasAttribute("data-allow-clear")) { plugins.push("clear_button"); }
    new window.TomSelect(select, {
      plugins: plugins,
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      optgroupField: "group",
      lockOptgroupOrder: true,
      maxOptions: null,
      preload: "focus",
      loadThrottle: 250,
      placeholder: select.getAttribute("data-placeholder") || "",
      hidePlaceholder: multiple,
      closeAfterSelect: !multiple,
      // The server matches (name, short name, region) and orders: keep its order, filter nothing out.
      score: function () { return function () { return 1; }; },
      firstUrl: function (query) { return withParams(url, { q: query, page: 1 }); },
      load: function (query, callback) {
        var self = this;
        var address = self.getUrl(query);
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            return response.json();
          })
          .then(function (data) {
            if (data.more) {
              var page = Number(new URL(address, window.location.href).searchParams.get("page") || "1");
              self.setNextUrl(query, withParams(url, { q: query, page: page + 1 }));
            }
            var groups = [];
            var seen = {};
            data.results.forEach(function (unit) {
              if (!seen[unit.group]) {
                seen[unit.group] = true;
                groups.push({ value: unit.group, label: unit.group });
              }
            });
            callback(data.results, groups);
          })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = noResults;
          return div;
        },
        loading_more: function () {
          var div = document.createElement("div");
          div.className = "loading-more-results py-2 d-flex align-items-center";
          div.innerHTML = '<div class="spinner-border spinner-border-sm me-2" aria-hidden="true"></div>';
          div.appendChild(document.createTextNode(loading));
          return div;
        },
        no_more_results: function () { return null; }
      }
    });
  }

  function scan(root) {
    var scope = root && root.querySelectorAll ? root : document;
    Array.prototype.forEach.call(scope.querySelectorAll("select[data-unit-picker]"), init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  // Forms swapped in by htmx get their pickers too.
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
