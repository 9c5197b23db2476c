/* Progressive enhancement only: every form works without this file. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Confirm destructive actions (withdraw, delete, unbind) before the form is sent.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  // A refused form: bring its errors into view — the summary at the top when the first error is near it,
  // else the first error itself (an executive's review at the page's end shows the error beside its button).
  var summary = document.getElementById("error-summary");
  var firstError = document.querySelector(".field-error");
  if (firstError) {
    var near = summary && firstError.getBoundingClientRect().top - summary.getBoundingClientRect().top <
      window.innerHeight * 0.6;
    (near ? summary : firstError).scrollIntoView({block: near ? "start" : "center"});
  }
  // A summary link goes to its field and focuses it.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("[data-field]");
    var field = link && document.querySelector('[name="' + link.getAttribute("data-field") + '"]');
    var error = link && document.getElementById("err-" + link.getAttribute("data-field"));
    if (!link || !error) { return; }
    e.preventDefault();
    error.scrollIntoView({block: "center"});
    if (field && field.type !== "hidden") { field.focus({preventScroll: true}); }
  });
  // A field's error goes once the field is changed (the server checks it again on the next submit).
  var clearError = function (e) {
    var name = e.target.name, error = name && document.getElementById("err-" + name);
    if (!error) { return; }
    error.remove();
    var cell = e.target.closest(".weui-cell_warn");
    if (cell) { cell.classList.remove("weui-cell_warn"); }
    var item = summary && summary.querySelector('[data-field="' + name + '"]');
    if (item) { item.parentNode.remove(); }
    if (summary && !summary.querySelector("li")) { summary.remove(); }
  };
  document.addEventListener("input", clearError);
  document.addEventListener("change", clearError);
  // The binding QR code: ask every 2 s whether it was scanned, then go on by itself.
  document.querySelectorAll("[data-poll]").forEach(function (box) {
    if (!window.fetch) { return; }
    var timer = setInterval(function () {
      fetch(box.getAttribute("data-poll"), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (body) {
          if (body.bound) { clearInterval(timer); window.location.href = box.getAttribute("data-next"); }
        });
    }, 2000);
  });
  // Character counters on fields with a limit ("标题 12/20").
  document.querySelectorAll("[data-count]").forEach(function (input) {
    var out = document.getElementById(input.getAttribute("data-count"));
    var max = input.getAttribute("maxlength");
    var show = function () { if (out) { out.textContent = Array.from(input.value).length + "/" + max; } };
    input.addEventListener("input", show); show();
  });
  // "获取验证码": send the code without leaving the page, then count down 60 s.
  document.querySelectorAll("[data-send-code]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      var phone = document.querySelector('input[name="phone"]');
      if (!phone || !window.fetch) { return; }
      e.preventDefault();
      fetch("/api/v1/auth/sms-code", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({phone: phone.value})})
        .then(function (r) { return r.status === 204 ? {} : r.json(); })
        .then(function (body) {
          var box = document.getElementById("code-status");
          if (body.error) { if (box) { box.textContent = body.error.message; box.className = "field-error"; } return; }
          if (box) { box.textContent = "验证码已发送，5 分钟内有效"; box.className = "notice"; }
          var left = 60; button.disabled = true;
          var timer = setInterval(function () {
            left -= 1; button.textContent = left + " 秒后重发";
            if (left <= 0) { clearInterval(timer); button.disabled = false; button.textContent = "获取验证码"; }
          }, 1000);
        });
    });
  });
  // Similar published questions while the title is typed (the ask form).
  var title = document.querySelector("[data-suggest]");
  if (title && window.fetch) {
    var box = document.getElementById(title.getAttribute("data-suggest")), timer;
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = title.value.trim();
        if (Array.from(q).length < 2) { box.innerHTML = ""; return; }
        fetch("/api/v1/public/questions/similar?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) {
            box.innerHTML = "";
            (body.items || []).forEach(function (item) {
              var a = document.createElement("a");
              a.href = "/h5/public/" + item.id; a.textContent = "相似问题：" + item.title; a.target = "_blank";
              box.appendChild(a);
            });
          });
      }, 300);
    });
  }
  // "加载更多": fetch the next page of a list and append it in place.
  document.querySelectorAll("[data-more]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      if (!window.fetch) { return; }
      e.preventDefault();
      fetch(link.href, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var list = document.getElementById(link.getAttribute("data-more"));
          var more = doc.getElementById(link.getAttribute("data-more"));
          if (list && more) { Array.from(more.children).forEach(function (c) { list.appendChild(c); }); }
          var next = doc.querySelector('[data-more="' + link.getAttribute("data-more") + '"]');
          if (next) { link.href = next.href; return; }
          var end = document.createElement("span");
          end.className = "weui-loadmore__tips"; end.textContent = "没有更多了";
          link.replaceWith(end);
        });
    });
  });
})();
