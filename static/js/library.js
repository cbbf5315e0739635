// The library's draft form (templates/library/form.html): show 案号/审理法院 for a typical case only, and the
// audience's levels, regions or units for the audience chosen. Without JavaScript every field shows.
(function () {
  "use strict";
  const form = document.querySelector("[data-library-form]");
  if (!form) return;
  const row = (name) => {
    const input = form.querySelector(`[name="${name}"]`);
    return input ? input.closest(".mb-3") : null;
  };
  const show = (name, visible) => {
    const el = row(name);
    if (el) el.hidden = !visible;
  };
  const type = form.querySelector('[name="type"]');
  const syncType = () => {
    const typical = type && type.value === "typical_case";
    show("case_number", typical);
    show("court", typical);
  };
  const syncAudience = () => {
    const chosen = form.querySelector('[name="audience"]:checked');
    const kind = chosen ? chosen.value : "all";
    show("audience_levels", kind === "levels");
    show("audience_regions", kind === "regions");
    show("audience_units", kind === "units");
  };
  if (type) type.addEventListener("change", syncType);
  form.querySelectorAll('[name="audience"]').forEach((el) => el.addEventListener("change", syncAudience));
  syncType();
  syncAudience();
})();
