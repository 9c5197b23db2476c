// The workspace pages' small behaviours. A form with data-confirm asks first. 企业设置: the aircraft time input
// is editable only while 航空器自动申报 is ticked (the server enforces it too).
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault(); });
  });
  var box = document.getElementById("aircraft_auto"), time = document.getElementById("aircraft_time");
  if (!box || !time) return;
  function sync() { time.disabled = !box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
