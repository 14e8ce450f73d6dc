/* The target grid: quarter and year totals and the completion follow what is typed (the server
 * recomputes them on save; this only keeps the row honest while editing). */
(function () {
  "use strict";
  function number(text) {
    var value = parseFloat(String(text || "").replace(/[,，¥\s]/g, ""));
    return isNaN(value) ? 0 : value;
  }
  function format(value) {
    return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
  }
  function recompute(row) {
    var inputs = row.querySelectorAll("input.input-cell");
    var months = Array.prototype.map.call(inputs, function (input) { return number(input.value); });
    var year = 0;
    for (var q = 0; q < 4; q++) {
      var sum = months[q * 3] + months[q * 3 + 1] + months[q * 3 + 2];
      year += sum;
      var cell = row.querySelector('[data-quarter="' + (q + 1) + '"]');
      if (cell) cell.textContent = format(sum);
    }
    var yearCell = row.querySelector("[data-year]");
    if (yearCell) yearCell.textContent = format(year);
    var actual = row.querySelector("[data-actual]");
    var completion = row.querySelector("[data-completion]");
    if (actual && completion) {
      completion.textContent = year > 0 ? (number(actual.dataset.actual) * 100 / year).toFixed(1) + "%" : "—";
    }
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("input-cell")) return;
    var row = input.closest("tr[data-row]");
    if (row) recompute(row);
  });
})();
