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

  if (body) { body.classList.add("js"); }
})();
