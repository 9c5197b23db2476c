/* Card pages: talk to the desktop card helper on this PC (loopback only), then to the site.
   The helper signs the site's challenge on the IC card / IKey; it never sees the site's session. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var box = document.getElementById("card-status");
  var holder = document.getElementById("card-helper");
  var helperUrl = ((holder && holder.getAttribute("data-helper-url")) || "http://127.0.0.1:17380").replace(/\/$/, "");
  var tokenInput = document.getElementById("pairing-token");
  var NO_HELPER = "未连接到读卡助手：请在本机安装并启动读卡助手（qingling-card-helper），并填写它显示的配对码";

  function say(text, bad) { if (box) { box.textContent = text; box.className = bad ? "field-error" : "notice"; } }
  function token() { return tokenInput ? tokenInput.value.trim() : ""; }
  if (tokenInput) {
    tokenInput.value = localStorage.getItem("qlCardHelperToken") || "";
    tokenInput.addEventListener("input", function () { localStorage.setItem("qlCardHelperToken", token()); });
  }
  function asJson(r) { return r.status === 204 ? {} : r.json(); }
  function helper(path, body) {
    var init = {method: body ? "POST" : "GET", headers: {"X-Pairing-Token": token()}};
    if (body) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(helperUrl + path, init).then(asJson, function () { return {error: {message: NO_HELPER}}; });
  }
  function site(method, path, body) {
    return fetch(path, {method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body ? JSON.stringify(body) : undefined}).then(asJson);
  }
  function fail(body) { say(body.error.message, true); throw body; }
  function extras(form) {
    var out = {};
    form.querySelectorAll("[data-send]").forEach(function (el) {
      var name = el.getAttribute("name");
      if (el.type === "checkbox") { out[name] = out[name] || []; if (el.checked) { out[name].push(+el.value); } }
      else { out[name] = el.value; }
    });
    return out;
  }
  function status() {
    helper("/v1/status").then(function (s) {
      if (s.error) { return say(s.error.message, true); }
      if (!s.readers.length) { return say("未检测到读卡器，请连接读卡器或插入 IKey", true); }
      if (!s.card_present) { return say("读卡器已连接，请插入 IC 卡或 IKey", false); }
      say("已检测到卡片" + (s.tries_left !== null ? "，卡密码还可尝试 " + s.tries_left + " 次" : ""), false);
    });
  }
  document.querySelectorAll("[data-card-read]").forEach(function (button) {
    button.addEventListener("click", function () {
      var pin = document.querySelector('input[name="pin"]').value;
      say("正在读卡…");
      helper("/v1/card/read", {pin: pin}).then(function (r) {
        if (r.error) { return fail(r); }
        Object.keys(r.card).forEach(function (k) {
          var cell = document.getElementById("card-" + k.replace(/_/g, "-"));
          if (cell) { cell.textContent = k === "card_type" ? (r.card[k] === "legal_person" ? "法人卡" : "操作员卡") : r.card[k]; }
        });
        say("已读取卡内企业信息，请核对");
      }).catch(function () {});
    });
  });
  document.querySelectorAll("form[data-card-flow]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var purpose = form.getAttribute("data-card-flow");
      var pin = form.querySelector('input[name="pin"]').value;
      var proof;
      say("正在读卡并签名，请勿拔出卡片…");
      site("POST", "/api/v1/card/challenges", {purpose: purpose}).then(function (c) {
        if (c.error) { return fail(c); }
        return helper("/v1/card/sign", {pin: pin, challenge: c.challenge}).then(function (s) {
          if (s.error) { return fail(s); }
          proof = {challenge_id: c.challenge_id, certificate: s.certificate, signature: s.signature, card: s.card};
          return site("POST", form.getAttribute("data-api"), Object.assign(proof, extras(form)));
        });
      }).then(function (r) {
        if (r.error) { return fail(r); }
        say("成功");
        window.location.href = form.getAttribute("data-done");
      }).catch(function () {});
    });
  });
  if (box) { status(); }
})();
