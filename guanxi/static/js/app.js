/* Guanxi application script: Alpine components (CSP build) and small global behaviours.
 *
 * The Alpine CSP build cannot evaluate expressions written in HTML, so every component is
 * registered here with Alpine.data() and templates only name properties and methods
 * (x-data="dropdown", @click="toggle", x-show="open"). Loaded with `defer` BEFORE Alpine so
 * the alpine:init listener is in place when Alpine starts.
 */
(function () {
  "use strict";

  var body = document.body;

  function message(name, fallback) {
    return (document.body && document.body.dataset[name]) || fallback;
  }

  /* ---------------------------------------------------------------- toasts */
  function toast(text, kind) {
    var host = document.getElementById("toasts");
    if (!host) {
      host = document.createElement("div");
      host.id = "toasts";
      host.className = "toasts";
      host.setAttribute("role", "status");
      host.setAttribute("aria-live", "polite");
      document.body.appendChild(host);
    }
    var el = document.createElement("div");
    el.className = "toast" + (kind ? " toast-" + kind : "");
    el.textContent = text;
    host.appendChild(el);
    window.setTimeout(function () { el.remove(); }, 5000);
  }
  window.guanxiToast = toast;

  /* ---------------------------------------------------------------- Alpine components */
  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;

    // The shell: the phone-width navigation drawer.
    Alpine.data("shell", function () {
      return {
        navOpen: false,
        toggleNav: function () { this.navOpen = !this.navOpen; },
        closeNav: function () { this.navOpen = false; },
        get sidebarClass() { return this.navOpen ? "open" : ""; },
        get navExpanded() { return this.navOpen ? "true" : "false"; },
      };
    });

    // A menu that opens on click and closes on outside click or Escape; once open it is moved
    // back inside the screen if it would stick out (a phone's narrow viewport).
    Alpine.data("dropdown", function () {
      return {
        open: false,
        toggle: function () {
          this.open = !this.open;
          if (this.open) {
            var menu = this.$el.closest(".dropdown").querySelector(".dropdown-menu");
            this.$nextTick(function () { keepInside(menu); });
          }
        },
        close: function () { this.open = false; },
        get expanded() { return this.open ? "true" : "false"; },
      };
    });

    // A message the user can dismiss.
    // Tabs of a detail page: the clicked tab becomes active (htmx loads its panel).
    Alpine.data("tabs", function () {
      return {
        select: function (event) {
          var tab = event.currentTarget;
          tab.parentElement.querySelectorAll(".tab").forEach(function (t) {
            t.classList.toggle("active", t === tab);
            t.setAttribute("aria-selected", t === tab ? "true" : "false");
          });
        },
      };
    });

    // A searchable picker (framework/pickers.py, template widgets/picker.html): a combobox whose
    // options come from /pick/<source>/?q= as the user types. Built imperatively (the CSP build
    // evaluates no template expressions); ARIA combobox + listbox, arrows/Enter/Escape.
    Alpine.data("picker", function () {
      return {
        init: function () { setupPicker(this.$el); },
      };
    });

    // Visit check-in (签到): the user presses the button, the browser asks for consent, and the
    // position fills the hidden latitude/longitude/accuracy inputs of the follow-up form.
    Alpine.data("checkIn", function () {
      return {
        state: "idle",
        statusText: "",
        root: null,
        init: function () {
          this.root = this.$el;  // in init, $el is the component's element (in a handler, the button)
          if (this.$refs.lat && this.$refs.lat.value) { this.state = "done"; }
          this.statusText = this.$refs.status ? this.$refs.status.textContent : "";
        },
        get busy() { return this.state === "locating"; },
        get located() { return this.state === "done"; },
        get unavailable() { return !("geolocation" in navigator); },
        locate: function () {
          var self = this;
          var el = this.root;
          if (!("geolocation" in navigator)) {
            self.state = "error";
            self.statusText = el.dataset.msgUnsupported || "";
            return;
          }
          self.state = "locating";
          self.statusText = el.dataset.msgLocating || "";
          navigator.geolocation.getCurrentPosition(function (position) {
            var c = position.coords;
            self.$refs.lat.value = c.latitude.toFixed(6);
            self.$refs.lng.value = c.longitude.toFixed(6);
            self.$refs.accuracy.value = Math.round(c.accuracy);
            self.state = "done";
            self.statusText = (el.dataset.msgLocated || "")
              .replace("{lat}", c.latitude.toFixed(5))
              .replace("{lng}", c.longitude.toFixed(5))
              .replace("{accuracy}", String(Math.round(c.accuracy)));
          }, function (error) {
            self.state = "error";
            self.statusText = error && error.code === 1 ? (el.dataset.msgDenied || "") : (el.dataset.msgFailed || "");
          }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
        },
        clear: function () {
          this.$refs.lat.value = "";
          this.$refs.lng.value = "";
          this.$refs.accuracy.value = "";
          this.state = "idle";
          this.statusText = "";
        },
      };
    });

    Alpine.data("dismissible", function () {
      return {
        visible: true,
        dismiss: function () { this.visible = false; },
      };
    });

    // The form's "possible duplicates" panel (dedup/_entry_check.html): at phone width a bar at
    // the bottom of the screen stands for it while it is off screen (CSS); once the panel itself
    // is in view the bar steps aside (class "in-view"), so it never covers what it points at.
    Alpine.data("possibleDuplicates", function () {
      return {
        observer: null,
        init: function () {
          var el = this.$el;
          if (!("IntersectionObserver" in window)) { return; }
          this.observer = new IntersectionObserver(function (entries) {
            entries.forEach(function (entry) {
              var seen = entry.intersectionRect.height;
              el.classList.toggle("in-view", entry.isIntersecting && seen >= Math.min(entry.boundingClientRect.height, 64));
            });
          }, { threshold: [0, 0.25, 0.5, 0.75, 1] });
          this.observer.observe(el);
        },
        destroy: function () { if (this.observer) { this.observer.disconnect(); } },
      };
    });

    // The top-bar search: results arrive by htmx into the panel; the panel shows while focused.
    Alpine.data("globalSearch", function () {
      return {
        open: false,
        init: function () {
          var self = this;
          this.$el.addEventListener("htmx:afterSwap", function () { self.open = true; });
        },
        show: function () {
          var panel = this.$refs.panel;
          if (panel && panel.children.length) { this.open = true; }
        },
        close: function () { this.open = false; },
        escape: function () { this.open = false; this.$refs.input.blur(); },
      };
    });
  });

  /* ---------------------------------------------------------------- pickers */
  function setupPicker(root) {
    if (root.dataset.ready) { return; }
    root.dataset.ready = "1";
    var input = root.querySelector("input[role=combobox]");
    var list = root.querySelector("[role=listbox]");
    var hidden = root.querySelector("input[data-value]");
    var chips = root.querySelector("[data-chips]");
    var multiple = root.dataset.multiple === "1";
    var url = root.dataset.url;
    var state = { items: [], active: -1, page: 1, more: false, query: null, timer: null, seq: 0 };

    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) { input.removeAttribute("aria-activedescendant"); state.active = -1; }
    }
    function optionEls() { return list.querySelectorAll("[role=option]"); }
    function setActive(index) {
      var els = optionEls();
      if (!els.length) { return; }
      state.active = (index + els.length) % els.length;
      els.forEach(function (el, i) { el.classList.toggle("active", i === state.active); });
      var el = els[state.active];
      input.setAttribute("aria-activedescendant", el.id);
      if (el.scrollIntoView) { el.scrollIntoView({ block: "nearest" }); }
    }
    function chosenIds() {
      if (multiple) {
        return Array.prototype.map.call(chips.querySelectorAll("input[type=hidden]"), function (i) { return i.value; });
      }
      return hidden.value ? [hidden.value] : [];
    }
    function render() {
      list.textContent = "";
      var chosen = chosenIds();
      state.items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "_" + i;
        li.setAttribute("role", "option");
        li.className = "picker-option";
        li.dataset.index = String(i);
        li.setAttribute("aria-selected", chosen.indexOf(String(item.id)) >= 0 ? "true" : "false");
        var text = document.createElement("span");
        text.className = "picker-text";
        text.textContent = item.text;
        li.appendChild(text);
        if (item.secondary) {
          var sub = document.createElement("span");
          sub.className = "picker-secondary";
          sub.textContent = item.secondary;
          li.appendChild(sub);
        }
        list.appendChild(li);
      });
      if (state.more) {
        var more = document.createElement("li");
        more.id = list.id + "_more";
        more.setAttribute("role", "option");
        more.className = "picker-option picker-more";
        more.dataset.more = "1";
        more.textContent = root.dataset.msgMore;
        list.appendChild(more);
      }
      if (!state.items.length) {
        var empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.setAttribute("role", "presentation");
        empty.textContent = root.dataset.msgEmpty;
        list.appendChild(empty);
      }
      open(true);
    }
    function load(query, page) {
      var seq = ++state.seq;
      var target = url + "?q=" + encodeURIComponent(query) + (page > 1 ? "&page=" + page : "");
      root.setAttribute("aria-busy", "true");
      fetch(target, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          if (seq !== state.seq) { return; }
          root.removeAttribute("aria-busy");
          state.items = page > 1 ? state.items.concat(data.results) : data.results;
          state.more = !!data.more;
          state.page = page;
          state.query = query;
          render();
          if (page > 1) { setActive((page - 1) * 20); }
        })
        .catch(function () {
          if (seq !== state.seq) { return; }
          root.removeAttribute("aria-busy");
          toast(root.dataset.msgError, "error");
        });
    }
    function changed(el) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function addChip(item) {
      if (chosenIds().indexOf(String(item.id)) >= 0) { return; }
      var li = document.createElement("li");
      li.className = "picker-chip";
      li.dataset.value = String(item.id);
      var span = document.createElement("span");
      span.textContent = item.text;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "picker-remove";
      remove.setAttribute("data-remove", "");
      remove.setAttribute("aria-label", root.dataset.msgRemove + " " + item.text);
      remove.textContent = "×";
      var value = document.createElement("input");
      value.type = "hidden";
      value.name = root.dataset.name;
      value.value = String(item.id);
      li.appendChild(span);
      li.appendChild(remove);
      li.appendChild(value);
      chips.appendChild(li);
      changed(value);
    }
    function choose(index) {
      var el = optionEls()[index];
      if (!el) { return; }
      if (el.dataset.more) { load(state.query || "", state.page + 1); return; }
      var item = state.items[Number(el.dataset.index)];
      // A choice ends the search: a search still waiting for its debounce or its response would
      // otherwise open the list again over the chosen value (a fast click on an earlier list).
      window.clearTimeout(state.timer);
      state.seq++;
      root.removeAttribute("aria-busy");
      if (multiple) {
        addChip(item);
        input.value = "";
        state.query = null;
        open(false);
      } else {
        hidden.value = String(item.id);
        input.value = item.text;
        input.dataset.label = item.text;
        open(false);
        changed(hidden);
      }
    }
    function schedule() {
      window.clearTimeout(state.timer);
      var query = input.value.trim();
      state.timer = window.setTimeout(function () { load(query, 1); }, 150);
    }

    input.addEventListener("input", schedule);
    // the search text is not the value: its own change event must not submit a filter form
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("focus", function () { if (state.query === null) { load(input.value === input.dataset.label ? "" : input.value.trim(), 1); } });
    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) { load(input.value === input.dataset.label ? "" : input.value.trim(), 1); return; }
        setActive(state.active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (expanded) { setActive(state.active - 1); }
      } else if (event.key === "Enter") {
        if (expanded && state.active >= 0) { event.preventDefault(); choose(state.active); }
        else if (expanded) { event.preventDefault(); }
      } else if (event.key === "Escape") {
        if (expanded) { event.preventDefault(); event.stopPropagation(); }
        if (!multiple) { input.value = input.dataset.label || ""; }
        open(false);
      } else if (event.key === "Backspace" && multiple && !input.value) {
        var last = chips.lastElementChild;
        if (last) { last.remove(); changed(root); }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (root.contains(document.activeElement)) { return; }
        open(false);
        if (!multiple) {
          if (!input.value.trim() && hidden.value) { hidden.value = ""; input.dataset.label = ""; changed(hidden); }
          else { input.value = input.dataset.label || ""; }
        }
        state.query = null;
      }, 150);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var el = event.target.closest("[role=option]");
      if (el) { choose(Array.prototype.indexOf.call(optionEls(), el)); input.focus(); }
    });
    root.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-remove]");
      if (!remove) { return; }
      event.preventDefault();
      var chip = remove.closest(".picker-chip");
      if (chip) { chip.remove(); changed(root); input.focus(); }
    });
  }

  /* ---------------------------------------------------------------- phone width */
  // A dropdown menu that would stick out of the screen is shifted back inside it.
  function keepInside(menu) {
    if (!menu) { return; }
    menu.style.transform = "";
    var rect = menu.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var margin = 8;
    var shift = 0;
    if (rect.right > width - margin) { shift = width - margin - rect.right; }
    if (rect.left + shift < margin) { shift = margin - rect.left; }
    if (shift) { menu.style.transform = "translateX(" + Math.round(shift) + "px)"; }
  }
  // <details class="dropdown"> menus (the list's column chooser) open without Alpine.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details.dropdown") && details.open) {
      keepInside(details.querySelector(".dropdown-menu"));
    }
  }, true);

  // Filter panels start collapsed on phones: the active filters show as chips above the list.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 639.98px)") : null;
  if (narrow && narrow.matches) {
    document.querySelectorAll("details[data-collapse-narrow][open]").forEach(function (el) {
      el.open = false;
    });
  }

  /* ---------------------------------------------------------------- keyboard: Ctrl/⌘+K */
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      var input = document.getElementById("global-search");
      if (input) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    }
  });

  /* ---------------------------------------------------------------- copy buttons */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-copy");
    var done = function () { toast(message("msgCopied", "Copied")); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  });

  function fallbackCopy(text) {
    // Plain-HTTP demos have no Clipboard API; a selected textarea + execCommand still works.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more we can do */ }
    area.remove();
  }

  /* ---------------------------------------------------------------- confirmations */
  function isHtmx(el) {
    return ["hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"].some(function (a) {
      return el.hasAttribute(a);
    });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (!el || isHtmx(el)) { return; }
    if (!window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-confirm]") || isHtmx(form)) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("htmx:confirm", function (event) {
    var el = event.detail.elt;
    var question = el && el.getAttribute("data-confirm");
    if (!question) { return; }
    event.preventDefault();
    if (window.confirm(question)) { event.detail.issueRequest(true); }
  });

  /* ---------------------------------------------------------------- htmx errors */
  document.addEventListener("htmx:responseError", function () {
    toast(message("msgError", "Something went wrong — try again"), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(message("msgOffline", "Could not reach the server — check your connection"), "error");
  });

  // Auto-submit controls (e.g. a select that filters a list): <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (typeof el.form.requestSubmit === "function") { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // Show ⌘ instead of Ctrl in shortcut hints on Apple devices.
  if (/Mac|iPhone|iPad/.test(navigator.platform || "")) {
    document.querySelectorAll("[data-mac-label]").forEach(function (el) {
      el.textContent = el.getAttribute("data-mac-label");
    });
  }

  // A strip of tabs wider than the screen scrolls sideways: bring the current tab into view (the
  // third of the approvals' boxes, "Decided by me", sat past the edge of a 375 px phone).
  document.querySelectorAll(".tabs").forEach(function (strip) {
    var current = strip.querySelector(".tab.active, .tab[aria-current='page']");
    if (!current || strip.scrollWidth <= strip.clientWidth) { return; }
    var box = strip.getBoundingClientRect();
    var tab = current.getBoundingClientRect();
    if (tab.right > box.right) { strip.scrollLeft += tab.right - box.right; }
    else if (tab.left < box.left) { strip.scrollLeft -= box.left - tab.left; }
  });

  if (body) { body.classList.add("js"); }
})();
