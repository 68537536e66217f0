/* The model chooser dialog (templates/modelbrowser/_chooser.html): htmx loads the model
 * browser into it; this opens it then, and closes it on its Close button. */
(function () {
  "use strict";
  if (window.studioModelChooser) return;
  window.studioModelChooser = true;

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "model-chooser-body") return;
    var dialog = document.getElementById("model-chooser");
    if (dialog && !dialog.open) dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-dialog]");
    if (close) close.closest("dialog").close();
  });
})();
