/* The deal board (kanban) of a pipeline: SortableJS drag and drop, the same by keyboard
 * (← / → on a focused card), a dialog for won/lost reasons and for fields a stage requires,
 * column paging on scroll, and the server's answers (409 conflict, 422 required fields) shown
 * in the user's language. Served with a CSP nonce; no inline handlers. */
(function () {
  "use strict";
  var board = document.getElementById("deal-board");
  if (!board) { return; }
  var dialog = document.getElementById("board-dialog");
  var form = document.getElementById("board-dialog-form");
  var status = document.getElementById("board-status");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var mayChange = board.dataset.mayChange === "1";
  var busy = false;

  function say(text, kind) {
    status.textContent = text;
    if (window.guanxiToast) { window.guanxiToast(text, kind); }
  }

  function columns() { return Array.prototype.slice.call(board.querySelectorAll(".board-column")); }
  function columnOf(el) { return el.closest(".board-column"); }
  function listOf(column) { return column.querySelector(".board-cards"); }

  function setCount(column, delta) {
    var badge = column.querySelector("[data-count]");
    badge.textContent = String(parseInt(badge.textContent, 10) + delta);
  }

  /* Put the card back where it came from (a refused move). */
  function restore(card, from, nextSibling) {
    listOf(from).insertBefore(card, nextSibling && nextSibling.parentNode === listOf(from) ? nextSibling : null);
  }

  function openDialog(column, needs, message) {
    var kind = column.dataset.kind;
    form.reset();
    document.getElementById("board-dialog-title").textContent = column.dataset.label;
    var note = document.getElementById("board-dialog-message");
    note.hidden = !message;
    note.textContent = message || "";
    form.querySelectorAll(".field").forEach(function (field) {
      var name = field.dataset.for;
      field.hidden = !(name === "reason" ? kind !== "open" : needs.indexOf(name) >= 0);
      var input = field.querySelector("input, select, textarea");
      if (input) { input.required = !field.hidden && name !== "note"; }
    });
    form.querySelectorAll("[data-error]").forEach(function (el) { el.hidden = true; el.textContent = ""; });
    document.getElementById("board-note").required = false;
    return new Promise(function (resolve) {
      function closed() {
        dialog.removeEventListener("close", closed);
        if (dialog.returnValue !== "ok") { resolve(null); return; }
        var data = {};
        form.querySelectorAll(".field:not([hidden]) input, .field:not([hidden]) select, .field:not([hidden]) textarea")
          .forEach(function (input) { data[input.name] = input.value; });
        resolve(data);
      }
      dialog.addEventListener("close", closed);
      dialog.returnValue = "";
      dialog.showModal();
      var first = form.querySelector(".field:not([hidden]) input, .field:not([hidden]) select, .field:not([hidden]) textarea");
      if (first) { first.focus(); }
    });
  }

  function post(card, column, extra) {
    var body = new URLSearchParams();
    body.append("stage", column.dataset.stage);
    body.append("_version", card.dataset.version || "");
    Object.keys(extra || {}).forEach(function (key) { body.append(key, extra[key]); });
    var url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.deal + "/");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch", "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    });
  }

  /* One move, with as many dialog rounds as the server asks for (reason, required fields). */
  function move(card, from, to, nextSibling) {
    if (busy) { restore(card, from, nextSibling); return; }
    busy = true;
    var extra = {};
    var first = to.dataset.kind !== "open" ? openDialog(to, [], "") : Promise.resolve({});
    function attempt(values) {
      if (values === null) {
        restore(card, from, nextSibling);
        busy = false;
        card.focus();
        return;
      }
      Object.keys(values).forEach(function (key) { extra[key] = values[key]; });
      card.classList.add("board-card-busy");
      post(card, to, extra).then(function (answer) {
        card.classList.remove("board-card-busy");
        var json = answer.json || {};
        if (answer.status === 200) {
          var holder = document.createElement("div");
          holder.innerHTML = json.card;
          var fresh = holder.firstElementChild;
          if (card.parentNode !== listOf(to)) { listOf(to).insertBefore(card, listOf(to).firstChild); }
          card.replaceWith(fresh);
          setCount(from, -1);
          setCount(to, 1);
          busy = false;
          fresh.focus();
          say(json.message, "success");
          return;
        }
        if (answer.status === 422 && json.fields) {
          openDialog(to, json.fields, json.message).then(attempt);
          return;
        }
        if (answer.status === 400 && json.errors && to.dataset.kind !== "open" && json.errors.reason) {
          openDialog(to, [], json.message).then(attempt);
          return;
        }
        restore(card, from, nextSibling);
        busy = false;
        card.focus();
        say(json.message || board.dataset.error || "Error", "error");
      }).catch(function () {
        card.classList.remove("board-card-busy");
        restore(card, from, nextSibling);
        busy = false;
        say(document.body.dataset.msgOffline, "error");
      });
    }
    first.then(attempt);
  }

  /* Drag and drop between the columns' lists. */
  if (mayChange && window.Sortable) {
    columns().forEach(function (column) {
      window.Sortable.create(listOf(column), {
        group: "deals",
        sort: false,
        animation: 120,
        draggable: ".board-card",
        filter: ".board-more",
        delay: 150,
        delayOnTouchOnly: true,
        forceFallback: true, // pointer events, not native HTML5 drag: the same on touch screens
        fallbackOnBody: true,
        onEnd: function (event) {
          var from = columnOf(event.from);
          var to = columnOf(event.to);
          if (from === to) { return; }
          var next = listOf(from).children[event.oldIndex] || null;
          move(event.item, from, to, next);
        }
      });
    });
  }

  /* The keyboard: ← / → moves the focused card to the previous / next column. */
  board.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card) { return; }
    if (event.key === "Enter") {
      var link = card.querySelector("a");
      if (link) { window.location.href = link.href; }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var sibling = event.key === "ArrowDown" ? card.nextElementSibling : card.previousElementSibling;
      if (sibling && sibling.classList.contains("board-card")) { sibling.focus(); event.preventDefault(); }
      return;
    }
    if (!mayChange || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) { return; }
    event.preventDefault();
    var all = columns();
    var from = columnOf(card);
    var to = all[all.indexOf(from) + (event.key === "ArrowRight" ? 1 : -1)];
    if (!to) { return; }
    var next = card.nextElementSibling;
    listOf(to).insertBefore(card, listOf(to).firstChild);
    to.scrollIntoView({ block: "nearest", inline: "start" });
    move(card, from, to, next);
  });

  /* Paging: when a column's "more" marker scrolls into view, fetch the next cards. */
  function watch(marker) {
    if (!("IntersectionObserver" in window)) { return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) { return; }
        observer.disconnect();
        var list = marker.parentNode;
        fetch(marker.dataset.next, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          marker.remove();
          Array.prototype.slice.call(holder.children).forEach(function (el) {
            list.appendChild(el);
            if (el.classList.contains("board-more")) { watch(el); }
          });
        });
      });
    }, { root: null, rootMargin: "200px" });
    observer.observe(marker);
  }
  board.querySelectorAll(".board-more").forEach(watch);

  /* The won/lost period applies on choosing it (kept in the URL with the other filters). */
  var period = document.getElementById("board-closed-within");
  if (period && period.form) {
    period.addEventListener("change", function () { period.form.requestSubmit(); });
  }
})();
