/* Card pages: talk to the desktop card helper on this PC (loopback only), then to the site.
   The helper signs the site's challenge on the IC card / IKey; it never sees the site's session.
   #card-status follows the helper live (asked every 1.5 s: helper running, pairing code, reader, card, PIN
   tries); #card-message holds the outcome of the last card operation. */
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var statusBox = document.getElementById("card-status");
  var messageBox = document.getElementById("card-message");
  var codeBox = document.getElementById("code-status");
  var holder = document.getElementById("card-helper");
  var helperUrl = ((holder && holder.getAttribute("data-helper-url")) || "http://127.0.0.1:17380").replace(/\/$/, "");
  var tokenInput = document.getElementById("pairing-token");
  var POLL_MS = 1500;
  var NO_HELPER = "未连接到读卡助手：请按《读卡助手安装说明》安装并运行读卡助手，然后填写它窗口中显示的配对码";
  var LOCKED = "卡已锁定（卡密码错误次数过多），请联系发卡机构解锁";
  var LAST_TRY = "已检测到卡片。卡密码还可尝试 1 次：最后一次机会，输错将锁定卡片";
  var busy = false, inflight = false, locked = false, registrable = false, timer = null;

  function show(box, text, className) {
    if (!box) { return; }
    box.textContent = text; box.className = className; box.hidden = !text;
  }
  function status(text, warn) { show(statusBox, text, warn ? "notice notice_warn" : "notice"); }
  function message(text, bad) { show(messageBox, text, bad ? "field-error" : "notice"); }
  function token() { return tokenInput ? tokenInput.value.trim() : ""; }
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
  // A locked card cannot do anything; the card registration page also waits until the card's enterprise may register.
  function gate() {
    document.querySelectorAll("form[data-card-flow] [type=submit], [data-card-read], [data-needs-registrable]")
      .forEach(function (button) {
        button.disabled = locked || (button.hasAttribute("data-needs-registrable") && !registrable);
      });
  }
  function setLocked(value) { if (locked !== value) { locked = value; gate(); } }
  function describe(s) {
    if (s.error) { return [s.error.message, true]; }
    if (!s.readers.length) { return ["未检测到读卡器，请连接读卡器或插入 IKey", true]; }
    if (!s.card_present) { return ["读卡器已连接，请插入 IC 卡或 IKey", false]; }
    if (s.tries_left === 0) { return [LOCKED, true]; }
    if (s.tries_left === 1) { return [LAST_TRY, true]; }
    return ["已检测到卡片" + (s.tries_left !== null ? "，卡密码还可尝试 " + s.tries_left + " 次" : ""), false];
  }
  function poll() {
    clearTimeout(timer);
    if (inflight) { return; }
    if (busy || document.hidden) { timer = setTimeout(poll, POLL_MS); return; }
    inflight = true;
    var sent = token();  // an answer to a pairing code since changed is stale: ask again at once
    helper("/v1/status").then(function (s) {
      if (sent !== token()) { return; }
      var said = describe(s);
      status(said[0], said[1]);
      setLocked(!s.error && s.card_present && s.tries_left === 0);
    }).then(null, function () {}).then(function () {
      inflight = false;
      timer = setTimeout(poll, sent !== token() ? 0 : POLL_MS);
    });
  }
  function fail(body) {
    message(body.error.message, true);
    if (body.error.code === "card_blocked") { setLocked(true); }
    throw body;
  }
  function extras(form) {
    var out = {};
    form.querySelectorAll("[data-send]").forEach(function (el) {
      var name = el.getAttribute("name");
      if (el.type === "checkbox") { out[name] = out[name] || []; if (el.checked) { out[name].push(+el.value); } }
      else { out[name] = el.value; }
    });
    return out;
  }
  // One card operation at a time; the live status waits meanwhile and is asked again right after.
  function operation(text, run) {
    busy = true;
    message(text, false);
    return run().then(null, function () {}).then(function () { busy = false; poll(); });
  }
  function checkRegistrable(card) {
    return site("GET", "/api/v1/card/registrable?credit_code=" + encodeURIComponent(card.credit_code || ""))
      .then(function (r) {
        registrable = !r.error && r.registrable;
        var reason = r.error ? r.error.message : r.reason;
        show(codeBox, registrable ? "该企业可以注册：请填写注册人信息并获取验证码" : reason,
             registrable ? "notice" : "field-error");
        gate();
      });
  }
  if (tokenInput) {
    tokenInput.value = localStorage.getItem("qlCardHelperToken") || "";
    tokenInput.addEventListener("input", function () { localStorage.setItem("qlCardHelperToken", token()); poll(); });
  }
  document.querySelectorAll("[data-card-read]").forEach(function (button) {
    button.addEventListener("click", function () {
      var pin = document.querySelector('input[name="pin"]').value;
      operation("正在读卡…", function () {
        return helper("/v1/card/read", {pin: pin}).then(function (r) {
          if (r.error) { return fail(r); }
          Object.keys(r.card).forEach(function (k) {
            var cell = document.getElementById("card-" + k.replace(/_/g, "-"));
            if (cell) { cell.textContent = k === "card_type" ? (r.card[k] === "legal_person" ? "法人卡" : "操作员卡") : r.card[k]; }
          });
          message("已读取卡内企业信息，请核对", false);
          return checkRegistrable(r.card);
        });
      });
    });
  });
  document.querySelectorAll("form[data-card-flow]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var purpose = form.getAttribute("data-card-flow");
      var pin = form.querySelector('input[name="pin"]').value;
      operation("正在读卡并签名，请勿拔出卡片…", function () {
        return site("POST", "/api/v1/card/challenges", {purpose: purpose}).then(function (c) {
          if (c.error) { return fail(c); }
          return helper("/v1/card/sign", {pin: pin, challenge: c.challenge}).then(function (s) {
            if (s.error) { return fail(s); }
            var proof = {challenge_id: c.challenge_id, certificate: s.certificate, signature: s.signature, card: s.card};
            return site("POST", form.getAttribute("data-api"), Object.assign(proof, extras(form)));
          });
        }).then(function (r) {
          if (r.error) { return fail(r); }
          message("成功", false);
          window.location.href = form.getAttribute("data-done");
        });
      });
    });
  });
  if (statusBox) { gate(); poll(); }
})();
