// The Chinese file picker (the native input, which reads the browser's language, hidden behind a Chinese label):
// show the chosen file's name; a new choice drops the image a refused form kept. Shared by the H5 pages and the
// desktop pages (appended to h5.js and workbench.js by the asset pipeline).
(function () {
  document.querySelectorAll(".picker__input").forEach(function (input) {
    input.addEventListener("change", function () {
      var name = document.getElementById(input.id + "-name");
      if (name) { name.textContent = input.files.length ? input.files[0].name : name.getAttribute("data-none"); }
      var kept = document.getElementById(input.id + "-kept");
      if (kept && input.files.length) { kept.remove(); }
    });
  });
})();
