/* Progressive enhancement only: every form works without this file. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Confirm destructive actions (withdraw, delete, unbind) before the form is sent.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
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
