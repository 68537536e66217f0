/* Generate page: aspect presets and the asset picker, without a round trip.
 * Without JS the presets are submit buttons (the server fills in width and height)
 * and URLs are typed in; this only makes both instant. */
(function () {
  "use strict";

  function changed(field) {
    // The form's htmx trigger listens for "change": the estimate follows.
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var preset = event.target.closest("[data-aspect-width]");
    if (preset) {
      var width = document.getElementById(preset.dataset.widthInput);
      var height = document.getElementById(preset.dataset.heightInput);
      if (!width || !height) return;
      event.preventDefault();
      width.value = preset.dataset.aspectWidth;
      height.value = preset.dataset.aspectHeight;
      changed(height);
      return;
    }
    var pick = event.target.closest("[data-pick-url]");
    if (pick) {
      var field = document.getElementById(pick.dataset.pickFor);
      if (!field) return;
      event.preventDefault();
      if (field.tagName === "TEXTAREA") {
        var current = field.value.trim();
        field.value = (current ? current + "\n" : "") + pick.dataset.pickUrl;
      } else {
        field.value = pick.dataset.pickUrl;
      }
      changed(field);
      field.focus();
    }
  });
})();
