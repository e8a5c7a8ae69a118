// kb front end: keyboard navigation and the 收集夹 (kept in localStorage, never sent anywhere
// except to this server when the user exports). No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var KEY = "kb.basket.v1";

  function load() {
    try {
      var items = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  }
  function save(items) {
    window.localStorage.setItem(KEY, JSON.stringify(items));
    updateCount(items);
  }
  function identity(item) {
    return item.kind === "case" ? "case:" + item.case_id : "passage:" + item.doc_id + ":" + item.ordinal;
  }
  function updateCount(items) {
    document.querySelectorAll("[data-basket-count]").forEach(function (el) {
      el.textContent = String(items.length);
    });
  }
  function itemFrom(button) {
    var d = button.dataset;
    return {
      kind: d.kind, doc_id: d.docId, ordinal: d.ordinal === "" ? null : Number(d.ordinal),
      case_id: d.caseId || null, title: d.title, label: d.label, note: ""
    };
  }
  function markCollected(items) {
    var ids = {};
    items.forEach(function (item) { ids[identity(item)] = true; });
    document.querySelectorAll("[data-collect]").forEach(function (button) {
      var on = !!ids[identity(itemFrom(button))];
      button.classList.toggle("collected", on);
      button.textContent = on ? "已收藏" : "收藏";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-collect]");
    if (!button) return;
    var item = itemFrom(button);
    var items = load();
    var at = items.findIndex(function (other) { return identity(other) === identity(item); });
    if (at >= 0) items.splice(at, 1); else items.push(item);
    save(items);
    markCollected(items);
  });

  // --- the 收集夹 page ---------------------------------------------------------------------
  function renderBasket() {
    var list = document.querySelector("[data-basket-items]");
    if (!list) return;
    var template = document.querySelector("[data-basket-item]");
    var items = load();
    list.textContent = "";
    document.querySelector("[data-basket-empty]").hidden = items.length > 0;
    document.querySelector("[data-basket-form]").hidden = items.length === 0;
    items.forEach(function (item, index) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.querySelector('[data-field="title"]').textContent = item.title || "";
      node.querySelector('[data-field="kind"]').textContent = item.kind === "case" ? "案例" : "段落";
      node.querySelector('[data-field="label"]').textContent = (item.label || "") + "…";
      var note = node.querySelector("[data-note]");
      note.value = item.note || "";
      note.addEventListener("input", function () {
        var current = load();
        current[index].note = note.value;
        save(current);
      });
      node.querySelectorAll("[data-move]").forEach(function (button) {
        button.addEventListener("click", function () {
          var current = load();
          var target = index + Number(button.dataset.move);
          if (target < 0 || target >= current.length) return;
          var moved = current.splice(index, 1)[0];
          current.splice(target, 0, moved);
          save(current);
          renderBasket();
        });
      });
      node.querySelector("[data-remove]").addEventListener("click", function () {
        var current = load();
        current.splice(index, 1);
        save(current);
        renderBasket();
      });
      list.appendChild(node);
    });
  }

  function wireBasketForm() {
    var form = document.querySelector("[data-basket-form]");
    if (!form) return;
    form.addEventListener("submit", function () {
      var items = load().map(function (item) {
        return { kind: item.kind, doc_id: item.doc_id, ordinal: item.ordinal, case_id: item.case_id, note: item.note || "" };
      });
      form.querySelector("[data-basket-field]").value = JSON.stringify(items);
    });
    var clear = document.querySelector("[data-basket-clear]");
    clear.addEventListener("click", function () {
      if (window.confirm("确定清空收集夹吗？")) { save([]); renderBasket(); }
    });
  }

  // --- keyboard ----------------------------------------------------------------------------
  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    var hits = Array.prototype.slice.call(document.querySelectorAll("[data-hit]"));
    var box = document.getElementById("q");
    if (event.key === "/" && !typing(event.target) && box) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (!hits.length) return;
    var current = hits.indexOf(document.activeElement.closest ? document.activeElement.closest("[data-hit]") : null);
    if (event.key === "ArrowDown" && (!typing(event.target) || event.target === box)) {
      event.preventDefault();
      hits[Math.min(current + 1, hits.length - 1)].focus();
    } else if (event.key === "ArrowUp" && !typing(event.target)) {
      event.preventDefault();
      if (current <= 0 && box) box.focus(); else hits[current - 1].focus();
    } else if (event.key === "Enter" && current >= 0 && document.activeElement === hits[current]) {
      event.preventDefault();
      var link = hits[current].querySelector("[data-open]");
      if (link) window.location.assign(link.href);
    }
  });

  // The filters (筛选) fold above the results on a phone, a tap away; beside the results on a
  // wider screen they stay open (the CSS hides their bar there).
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
  function foldFilters() {
    document.querySelectorAll("[data-facets]").forEach(function (box) {
      box.open = !(narrow && narrow.matches);
    });
  }
  if (narrow && narrow.addEventListener) narrow.addEventListener("change", foldFilters);

  document.addEventListener("DOMContentLoaded", function () {
    foldFilters();
    var items = load();
    updateCount(items);
    markCollected(items);
    renderBasket();
    wireBasketForm();
  });
})();
