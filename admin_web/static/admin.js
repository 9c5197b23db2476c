/* Progressive enhancement only: every admin page works without this file. */
(function () {
  "use strict";
  // Native date inputs read the browser's language ("mm/dd/yyyy"): an empty one shows its Chinese placeholder
  // as a text box and becomes a date picker when used (the value is always YYYY-MM-DD).
  document.querySelectorAll("input[type=date][placeholder]").forEach(function (input) {
    var rest = function () { if (!input.value) { input.type = "text"; } };
    input.addEventListener("focus", function () { input.type = "date"; });
    input.addEventListener("blur", rest);
    rest();
  });
})();
