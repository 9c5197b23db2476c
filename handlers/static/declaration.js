// 报关单录入: code fields look their table up as one types (a code or a name), an HS code brings its declaration
// elements to be entered one by one and joined in the standard "|" form into 规格型号, rows are added and removed,
// a refused element's message stands beside it, and the person's form preferences apply (回车跳到下一字段,
// 代码自动转大写, 提交前确认). No framework.
(function () {
  var form = document.getElementById("declaration-form");
  if (!form) return;
  var upper = form.getAttribute("data-uppercase") === "on";
  var timers = {};

  function lookup(input) {
    var table = input.getAttribute("data-table"), list = document.getElementById(input.id + "-list");
    var name = document.querySelector('[data-name-for="' + input.id + '"]');
    if (upper) input.value = input.value.toUpperCase();
    clearTimeout(timers[input.id]);
    timers[input.id] = setTimeout(function () {
      fetch("/api/v1/workspace/codes/" + table + "?q=" + encodeURIComponent(input.value.trim()), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) {
          list.innerHTML = "";
          var exact = "";
          data.items.forEach(function (c) {
            var option = document.createElement("option");
            option.value = c.code; option.label = c.code + " " + c.name; option.textContent = c.name;
            list.appendChild(option);
            if (c.code === input.value.trim().toUpperCase()) exact = c.name;
          });
          if (name) name.textContent = exact;
        });
    }, 150);
  }

  function joinElements(box) {
    var spec = document.getElementById(box.getAttribute("data-elements-for"));
    var parts = Array.prototype.map.call(box.querySelectorAll("[data-element]"), function (el) {
      return el.value.trim().replace(/\|/g, "/");
    });
    spec.value = parts.join("|");
  }

  function showElements(hsInput) {
    var row = hsInput.closest("[data-row]");
    var spec = row.querySelector("[data-model-spec]"), box = row.querySelector(".elements");
    var code = hsInput.value.trim();
    if (!/^\d{10}$/.test(code)) { box.innerHTML = ""; spec.readOnly = false; return; }
    fetch("/api/v1/workspace/hs-codes/" + code, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (hs) {
        box.innerHTML = "";
        if (!hs) { spec.readOnly = false; return; }
        var values = spec.value.split("|");
        hs.elements.forEach(function (e, i) {
          var id = spec.id + "-e" + i, wrap = document.createElement("div"), label = document.createElement("label");
          wrap.className = "element";
          label.htmlFor = id; label.textContent = (i + 1) + ". " + e.name + (e.required ? " *" : "");
          var field;
          if (e.choices && e.choices.length) {
            field = document.createElement("select");
            field.appendChild(new Option("", ""));
            e.choices.forEach(function (c) { field.appendChild(new Option(c[0] + " " + c[1], c[0])); });
          } else {
            field = document.createElement("input");
          }
          field.id = id; field.setAttribute("data-element", e.name);
          field.value = (values[i] || "").trim();
          if (hsInput.readOnly) field.disabled = true;
          field.addEventListener("input", function () { joinElements(box); });
          field.addEventListener("change", function () { joinElements(box); });
          wrap.appendChild(label); wrap.appendChild(field);
          // the server's refusal of this element (items[i].elements[j]) moves beside its input
          var problem = row.querySelector('[data-element-error="' + i + '"]');
          if (problem) {
            field.setAttribute("aria-invalid", "true"); field.setAttribute("aria-describedby", problem.id);
            wrap.appendChild(problem);
          }
          box.appendChild(wrap);
        });
        spec.readOnly = true;
        spec.title = "由下方申报要素自动组成";
        var name = row.querySelector('[name="item_goods_name"]');
        if (name && !name.value) name.value = hs.name;
        var units = row.querySelector("[data-catalogue-units]");
        if (units) units.textContent = "目录法定单位：" + hs.unit1 + (hs.unit2 ? "，第二单位：" + hs.unit2 : "");
        joinElements(box);
      });
  }

  function renumber(part) {
    document.querySelectorAll("#" + part + " [data-number]").forEach(function (n, i) { n.textContent = i + 1; });
  }

  form.addEventListener("input", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-table")) lookup(e.target);
  });
  form.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-hs")) showElements(e.target);
  });
  form.addEventListener("click", function (e) {
    var remove = e.target.closest("[data-remove]");
    if (remove) { var row = remove.closest("[data-row]"), body = row.parentNode; row.remove(); renumber(body.id); }
  });
  document.querySelectorAll("[data-add]").forEach(function (button) {
    var part = button.getAttribute("data-add"), counter = 1000;
    button.addEventListener("click", function () {
      var html = document.getElementById("template-" + part).innerHTML.replace(/__i__/g, String(counter++));
      var holder = document.createElement(part === "items" ? "div" : "tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      document.getElementById(part).appendChild(row);
      renumber(part);
      var first = row.querySelector("input");
      if (first) first.focus();
    });
  });
  if (form.getAttribute("data-enter-next") === "on") {
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.target.tagName === "BUTTON" || e.target.tagName === "TEXTAREA") return;
      e.preventDefault();
      var fields = Array.prototype.filter.call(form.querySelectorAll("input:not([type=hidden]),select"), function (f) {
        return !f.readOnly && !f.disabled && f.offsetParent !== null;
      });
      var next = fields[fields.indexOf(e.target) + 1];
      if (next) next.focus();
    });
  }
  var confirmText = form.getAttribute("data-confirm-submit");
  form.addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.value === "submit" && confirmText && !window.confirm(confirmText)) e.preventDefault();
  });
  document.querySelectorAll("[data-hs]").forEach(function (input) { if (input.value) showElements(input); });
  var invalid = form.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.scrollIntoView({block: "center"}); invalid.focus({preventScroll: true}); }
})();
