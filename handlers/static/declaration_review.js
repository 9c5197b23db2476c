// 可视化审核: a click (or Enter / Space on the focused field) cycles its mark 正确 → 有误 → reset; 有误 asks for a
// comment in an inline box first (C edits the comment of a red field). Each mark is saved through the API naming
// the field's last mark seen; a 409 shows the field's fresh state (someone else marked it). No framework.
(function () {
  var page = document.getElementById("review");
  if (!page) return;
  var api = page.getAttribute("data-api"), may = page.getAttribute("data-may") === "on";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var box = document.getElementById("comment-box"), text = document.getElementById("comment-text");
  var boxError = document.getElementById("comment-error"), notice = document.getElementById("review-notice");
  var LABELS = {right: "正确", wrong: "有误", none: ""}, NEXT = {none: "right", right: "wrong", wrong: "none"};
  var editing = null;

  function counts() {
    var all = page.querySelectorAll(".mk"), marked = 0, red = [];
    all.forEach(function (b) {
      var m = b.getAttribute("data-mark");
      if (m !== "none") marked++;
      if (m === "wrong") red.push(b.getAttribute("data-label") + "：" + b.querySelector("[data-comment]").textContent);
    });
    document.getElementById("count-marked").textContent = marked;
    var list = document.getElementById("red-list");
    if (list) {
      list.innerHTML = "";
      red.forEach(function (line) { var li = document.createElement("li"); li.textContent = line; list.appendChild(li); });
    }
  }

  function show(button, state) {
    button.setAttribute("data-mark", state.mark);
    button.setAttribute("data-last", String(state.last_id));
    button.className = "mk mark-" + state.mark + (state.changed ? " changed" : "");
    button.querySelector("[data-state]").textContent = LABELS[state.mark] ||
      (state.changed ? "已修改 · 原值：" + (state.marked_value || "空") : "");
    button.querySelector("[data-comment]").textContent = state.comment || "";
    counts();
  }

  function say(message) { notice.textContent = message; notice.hidden = !message; }

  function save(button, mark, comment) {
    var body = {path: button.getAttribute("data-path"), mark: mark, comment: comment || "",
                seen: Number(button.getAttribute("data-last"))};
    button.setAttribute("aria-busy", "true");
    return fetch(api + "/marks", {method: "POST", credentials: "same-origin",
                                  headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                                  body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (data) { return {status: r.status, data: data}; }); })
      .then(function (answer) {
        button.removeAttribute("aria-busy");
        if (answer.status === 200) { show(button, answer.data); say(""); return true; }
        if (answer.status === 409 && answer.data.state) show(button, answer.data.state);
        say(answer.data.error ? answer.data.error.message : "保存失败，请重试");
        return answer.status !== 400;
      });
  }

  function openBox(button) {
    editing = button;
    text.value = button.getAttribute("data-mark") === "wrong" ? button.querySelector("[data-comment]").textContent : "";
    boxError.hidden = true;
    button.parentNode.appendChild(box);
    box.hidden = false;
    text.focus();
  }

  function closeBox() {
    var was = editing;
    box.hidden = true; editing = null;
    if (was) was.focus();
  }

  if (may) {
    page.addEventListener("click", function (e) {
      var button = e.target.closest(".mk");
      if (!button || button.getAttribute("aria-busy")) return;
      var next = NEXT[button.getAttribute("data-mark")];
      if (next === "wrong") { openBox(button); return; }
      save(button, next, "");
    });
    page.addEventListener("keydown", function (e) {
      var button = e.target.closest && e.target.closest(".mk");
      if (button && (e.key === "c" || e.key === "C")) { e.preventDefault(); openBox(button); }
    });
    document.getElementById("comment-save").addEventListener("click", function () {
      if (!text.value.trim()) { boxError.textContent = "标为有误时请填写意见"; boxError.hidden = false; text.focus(); return; }
      var button = editing;
      save(button, "wrong", text.value.trim()).then(function (done) { if (done) closeBox(); });
    });
    document.getElementById("comment-cancel").addEventListener("click", closeBox);
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("comment-save").click(); }
      if (e.key === "Escape") { e.preventDefault(); closeBox(); }
    });
  }
  counts();
  var bad = page.querySelector(".mk.bad");
  if (bad) bad.scrollIntoView({block: "center"});
})();
