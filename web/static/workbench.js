// The self-examination workbench (要求清单, 对照检查, 案例教材). Everything the user picks or
// writes stays in this browser (localStorage) until they export; exports send ids and the
// user's own words, and the server re-reads every quoted text from the index.
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  var DRAFT = "kb.draft.v1", DRAFTS = "kb.drafts.saved.v1";
  var PACK = "kb.casepack.v1", PACKS = "kb.casepacks.saved.v1";
  var BASKET = "kb.basket.v1";

  function read(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }
  function write(key, value) { window.localStorage.setItem(key, JSON.stringify(value)); }
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function clone(selector) { return $(selector).content.firstElementChild.cloneNode(true); }
  function field(node, name) { return $('[data-field="' + name + '"]', node); }

  function draft() {
    var value = read(DRAFT, null);
    if (!value || !Array.isArray(value.items)) value = { title: "对照检查材料", items: [] };
    return value;
  }
  function pack() {
    var value = read(PACK, null);
    if (!value || !Array.isArray(value.items)) value = { title: "典型案例警示教育材料", unit: "", date: "", questions: false, items: [] };
    return value;
  }

  // --- toggling buttons on list pages ------------------------------------------------------
  function wireToggles(selector, load, store, make, onLabel, offLabel) {
    function mark() {
      var ids = {};
      load().items.forEach(function (item) { ids[item.id] = true; });
      $all(selector).forEach(function (button) {
        var on = !!ids[button.dataset.id];
        button.classList.toggle("added", on);
        button.textContent = on ? onLabel : offLabel;
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest(selector);
      if (!button) return;
      var current = load();
      var at = current.items.findIndex(function (item) { return item.id === button.dataset.id; });
      if (at >= 0) current.items.splice(at, 1); else current.items.push(make(button.dataset));
      store(current);
      mark();
      if (typeof store.after === "function") store.after();
    });
    mark();
    return mark;
  }

  // --- saved work (drafts and packs under names) -------------------------------------------
  function wireSaved(root, savedKey, current, restore, exportNow) {
    var list = $("[data-saved-list]", root);
    if (!list) return;
    function render() {
      var saved = read(savedKey, []);
      list.textContent = "";
      $("[data-saved-empty]", root).hidden = saved.length > 0;
      saved.forEach(function (entry, index) {
        var row = clone("[data-saved-row]");
        field(row, "name").textContent = entry.name;
        field(row, "when").textContent = "保存于 " + new Date(entry.saved).toLocaleString("zh-CN");
        $("[data-saved-open]", row).addEventListener("click", function () { restore(entry.data); });
        $("[data-saved-export]", row).addEventListener("click", function () { restore(entry.data); exportNow(); });
        $("[data-saved-rename]", row).addEventListener("click", function () {
          var name = window.prompt("新的名称", entry.name);
          if (!name || !name.trim()) return;
          var all = read(savedKey, []);
          all[index].name = name.trim().slice(0, 40);
          write(savedKey, all);
          render();
        });
        $("[data-saved-delete]", row).addEventListener("click", function () {
          if (!window.confirm("确定删除“" + entry.name + "”吗？")) return;
          var all = read(savedKey, []);
          all.splice(index, 1);
          write(savedKey, all);
          render();
        });
        list.appendChild(row);
      });
    }
    $("[data-saved-save]", root).addEventListener("click", function () {
      var input = $("[data-saved-name]", root);
      var name = input.value.trim().slice(0, 40);
      if (!name) { input.focus(); return; }
      var all = read(savedKey, []);
      var entry = { name: name, saved: Date.now(), data: current() };
      var at = all.findIndex(function (other) { return other.name === name; });
      if (at >= 0) all[at] = entry; else all.push(entry);
      write(savedKey, all);
      input.value = "";
      render();
    });
    render();
  }

  function moveOrRemove(node, index, load, store, rerender) {
    $all("[data-move]", node).forEach(function (button) {
      button.addEventListener("click", function () {
        var current = load();
        var target = index + Number(button.dataset.move);
        if (target < 0 || target >= current.items.length) return;
        current.items.splice(target, 0, current.items.splice(index, 1)[0]);
        store(current);
        rerender();
      });
    });
    $("[data-remove]", node).addEventListener("click", function () {
      var current = load();
      current.items.splice(index, 1);
      store(current);
      rerender();
    });
  }

  // --- 对照检查 draft -----------------------------------------------------------------------
  var fetched = {};  // id -> promise of {requirement, cases}
  function details(id) {
    if (!fetched[id]) {
      // The API's address from the page (url_for), so kb also works under a proxy's prefix.
      var api = $("[data-draft-page]").getAttribute("data-requirements-api");
      fetched[id] = window.fetch(api + "/" + encodeURIComponent(id) + "/cases", { headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); });
    }
    return fetched[id];
  }

  function renderCases(list, id, data) {
    list.textContent = "";
    if (!data.cases.length) {
      var none = document.createElement("li");
      none.className = "meta";
      none.textContent = "没有找到相近的典型案例。";
      list.appendChild(none);
      return;
    }
    data.cases.forEach(function (c) {
      var row = clone("[data-case-choice]");
      var box = $("[data-case-id]", row);
      box.value = c.id;
      box.dataset.caseId = c.id;
      var item = draft().items.find(function (i) { return i.id === id; });
      box.checked = !!(item && (item.cases || []).indexOf(c.id) >= 0);
      field(row, "summary").textContent = c.summary;
      field(row, "meta").textContent = [c.sanctions.join("、"), "《" + c.title + "》"].filter(Boolean).join(" · ");
      box.addEventListener("change", function () {
        var current = draft();
        var entry = current.items.find(function (i) { return i.id === id; });
        if (!entry) return;
        entry.cases = (entry.cases || []).filter(function (other) { return other !== c.id; });
        if (box.checked) entry.cases.push(c.id);
        write(DRAFT, current);
      });
      list.appendChild(row);
    });
  }

  function renderDraft() {
    var list = $("[data-draft-items]");
    var current = draft();
    list.textContent = "";
    $("[data-draft-empty]").hidden = current.items.length > 0;
    $("[data-draft-xlsx]").disabled = current.items.length === 0;  // no empty ledger
    $("[data-draft-title]").value = current.title || "对照检查材料";
    // The material's own words (单位, 姓名职务, 原因剖析, 努力方向) are saved with the draft.
    $all("[data-draft-word]").forEach(function (input) {
      if (input.dataset.draftWord !== "title") input.value = current[input.dataset.draftWord] || "";
    });
    $all("[data-draft-cause]").forEach(function (input) {
      input.value = (current.causes || {})[input.dataset.draftCause] || "";
    });
    current.items.forEach(function (item, index) {
      var node = clone("[data-draft-item]");
      node.dataset.id = item.id;
      field(node, "heading").textContent = "要求 " + (index + 1) + " · " + (item.title ? "《" + item.title + "》" : "");
      $all("[data-input]", node).forEach(function (input) {
        var name = input.dataset.input;
        input.value = item[name] || "";
        input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () {
          var latest = draft();
          var entry = latest.items.find(function (i) { return i.id === item.id; });
          if (entry) { entry[name] = input.value; write(DRAFT, latest); }
        });
      });
      moveOrRemove(node, index, draft, function (v) { write(DRAFT, v); }, renderDraft);
      list.appendChild(node);
      details(item.id).then(function (data) {
        var req = data.requirement;
        field(node, "text").textContent = req.full_text;
        field(node, "kind").textContent = req.kind;
        var cite = field(node, "cite");
        cite.textContent = req.citation;
        cite.href = req.link;
        renderCases($("[data-cases]", node), item.id, data);
      }, function () {
        field(node, "text").textContent = "这条要求已不在文件库中，导出时会跳过。";
        $("[data-cases]", node).textContent = "";
      });
    });
    renderBasketSource();
  }

  function renderBasketSource() {
    var list = $("[data-basket-source-list]");
    var passages = read(BASKET, []).filter(function (item) { return item && item.kind !== "case" && item.doc_id; });
    var chosen = {};
    draft().items.forEach(function (item) { chosen[item.id] = true; });
    $("[data-basket-source-count]").textContent = String(passages.length);
    list.textContent = "";
    passages.forEach(function (p) {
      var id = p.doc_id + "-p" + p.ordinal;
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = chosen[id] ? "已加入" : "加入";
      button.disabled = !!chosen[id];
      button.addEventListener("click", function () {
        var current = draft();
        current.items.push({ id: id, title: p.title || "", cases: [] });
        write(DRAFT, current);
        renderDraft();
      });
      li.appendChild(button);
      li.appendChild(document.createTextNode(" 《" + (p.title || "") + "》" + (p.label || "") + "…"));
      list.appendChild(li);
    });
  }

  function draftPayload() {
    return draft().items.map(function (item) {
      return { id: item.id, cases: item.cases || [], gap: item.gap || "", example: item.example || "",
        measure: item.measure || "", owner: item.owner || "", deadline: item.deadline || "",
        topic: item.topic || "" };
    });
  }

  function wireDraftPage() {
    var root = $("[data-draft-page]");
    if (!root) return;
    var form = $("[data-draft-form]");
    form.addEventListener("submit", function () { $("[data-draft-field]").value = JSON.stringify(draftPayload()); });
    $all("[data-draft-word]").forEach(function (input) {
      input.addEventListener("input", function () {
        var current = draft();
        current[input.dataset.draftWord] = input.value;
        write(DRAFT, current);
      });
    });
    $all("[data-draft-cause]").forEach(function (input) {
      input.addEventListener("input", function () {
        var current = draft();
        current.causes = current.causes || {};
        current.causes[input.dataset.draftCause] = input.value;
        write(DRAFT, current);
      });
    });
    $("[data-draft-clear]").addEventListener("click", function () {
      if (window.confirm("确定清空当前的对照检查吗？（已保存的草稿不受影响）")) { write(DRAFT, { title: "对照检查材料", items: [] }); renderDraft(); }
    });
    wireSaved(root, DRAFTS, draft, function (data) { write(DRAFT, data); renderDraft(); }, function () {
      $("[data-draft-field]").value = JSON.stringify(draftPayload());
      form.action = form.querySelector("button[type=submit]").getAttribute("formaction");
      form.target = "";
      form.submit();
    });
    renderDraft();
  }

  // --- 案例教材 ------------------------------------------------------------------------------
  function renderPack() {
    var list = $("[data-pack-items]");
    var current = pack();
    list.textContent = "";
    $("[data-pack-empty]").hidden = current.items.length > 0;
    $("[data-pack-count]").textContent = String(current.items.length);
    $all("[data-pack-input]").forEach(function (input) {
      var name = input.dataset.packInput;
      if (input.type === "checkbox") input.checked = !!current.questions;
      else input.value = current[name] || input.defaultValue;
    });
    current.items.forEach(function (item, index) {
      var node = clone("[data-pack-item]");
      node.dataset.id = item.id;
      field(node, "summary").textContent = item.summary || item.id;
      field(node, "title").textContent = item.title ? "出处：《" + item.title + "》" : "";
      moveOrRemove(node, index, pack, storePack, renderPack);
      list.appendChild(node);
    });
  }
  function storePack(value) { write(PACK, value); }

  function wirePackPage() {
    var root = $("[data-pack-page]");
    if (!root) return;
    var form = $("[data-pack-form]");
    function fill() { $("[data-pack-field]").value = JSON.stringify(pack().items.map(function (i) { return i.id; })); }
    form.addEventListener("submit", fill);
    $all("[data-pack-input]").forEach(function (input) {
      input.addEventListener(input.type === "checkbox" ? "change" : "input", function () {
        var current = pack();
        current[input.dataset.packInput] = input.type === "checkbox" ? input.checked : input.value;
        write(PACK, current);
      });
    });
    $("[data-pack-clear]").addEventListener("click", function () {
      if (window.confirm("确定清空当前教材吗？（已保存的教材不受影响）")) { write(PACK, { title: "典型案例警示教育材料", unit: "", date: "", questions: false, items: [] }); renderPack(); markPack(); }
    });
    storePack.after = renderPack;
    var markPack = wireToggles("[data-pack-add]", pack, storePack, function (d) {
      return { id: d.id, summary: d.summary || "", title: d.title || "" };
    }, "已加入", "加入教材");
    wireSaved(root, PACKS, pack, function (data) { write(PACK, data); renderPack(); markPack(); }, function () {
      fill();
      form.action = form.querySelector("button[type=submit]").getAttribute("formaction");
      form.target = "";
      form.submit();
    });
    renderPack();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if ($("[data-req-add]")) {
      wireToggles("[data-req-add]", draft, function (v) { write(DRAFT, v); }, function (d) {
        return { id: d.id, title: d.title || "", cases: [] };
      }, "已加入对照检查", "加入对照检查");
    }
    wireDraftPage();
    wirePackPage();
  });
})();
