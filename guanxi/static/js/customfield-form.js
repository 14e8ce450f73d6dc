/*
 * The custom-field definition form: show only the options of the chosen type.
 *
 * The server marks each type-specific input with data-for-types="select multiselect" and the type
 * select with data-field-type (guanxi.core.forms.CustomFieldForm.TYPE_OPTIONS); this hides the
 * form rows of the other types. Without JavaScript every row shows and the server drops the
 * values a type does not use. Delegated listeners: the form is re-rendered by htmx on errors.
 */
(function () {
  "use strict";

  function apply(form) {
    var select = form.querySelector("select[data-field-type]");
    if (!select) { return; }
    var type = select.value;
    form.querySelectorAll("[data-for-types]").forEach(function (input) {
      var row = input.closest(".form-row") || input.parentElement;
      var shown = input.getAttribute("data-for-types").split(" ").indexOf(type) !== -1;
      row.hidden = !shown;
    });
  }

  function applyAll(root) {
    (root || document).querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("select[data-field-type]")) { apply(form); }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-field-type]")) {
      apply(event.target.form);
    }
  });
  document.addEventListener("htmx:afterSettle", function () { applyAll(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyAll(document); });
  } else {
    applyAll(document);
  }
})();
