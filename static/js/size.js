/* The size control (templates/generation/_size.html): aspect presets that fill in width and
 * height, and an enhancer's upscale presets worked out from its input image's size.
 * Without JS the presets are submit buttons or radios the server reads; this makes them
 * instant. Loaded with every form panel, so it registers its listeners once. */
(function () {
  "use strict";
  if (window.studioSizeControl) return;
  window.studioSizeControl = true;

  function changed(field) {
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function inputs(control) {
    return {
      width: document.getElementById(control.dataset.widthInput),
      height: document.getElementById(control.dataset.heightInput),
    };
  }

  function setSize(control, width, height) {
    var size = inputs(control);
    if (!size.width || !size.height) return;
    size.width.value = width;
    size.height.value = height;
    changed(size.height);
  }

  function inputSize(control) {
    var w = Number((control.querySelector("[data-input-width]") || {}).value);
    var h = Number((control.querySelector("[data-input-height]") || {}).value);
    return w > 0 && h > 0 ? { width: w, height: h } : null;
  }

  function upscaled(size, factor, maxW, maxH) {
    var w = size.width * factor;
    var h = size.height * factor;
    var shrink = Math.min(1, maxW ? maxW / w : 1, maxH ? maxH / h : 1);
    return { width: Math.max(1, Math.floor(w * shrink)), height: Math.max(1, Math.floor(h * shrink)) };
  }

  function showInput(control, size, note) {
    control.querySelector("[data-input-width]").value = size ? size.width : "";
    control.querySelector("[data-input-height]").value = size ? size.height : "";
    var text = control.querySelector("[data-input-note]");
    if (text) text.textContent = note || (size ? "Input image: " + size.width + " × " + size.height + " px." : "");
  }

  // The input image's size: from the picker's item when it knows it, else by loading it.
  function learnInputSize(control) {
    var field = document.getElementById(control.dataset.inputField);
    if (!field) return;
    var url = field.value.trim().split("\n")[0];
    if (!url) { showInput(control, null, "Pick the input image above: the presets multiply its size."); return; }
    var item = document.querySelector('[data-pick-url="' + CSS.escape(url) + '"][data-pick-width]');
    if (item) {
      showInput(control, { width: Number(item.dataset.pickWidth), height: Number(item.dataset.pickHeight) });
      return;
    }
    var probe = new Image();
    probe.onload = function () { showInput(control, { width: probe.naturalWidth, height: probe.naturalHeight }); };
    probe.onerror = function () { showInput(control, null, "The input image's size is unknown: type the output size."); };
    probe.src = url;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-upscale]");
    if (!button) return;
    var control = button.closest("[data-size-control]");
    if (!control) return;
    event.preventDefault();
    var size = inputSize(control);
    if (!size) {
      showInput(control, null, "Pick the input image first, or type a custom size.");
      return;
    }
    var out = upscaled(size, Number(button.dataset.upscale), Number(button.dataset.maxWidth) || 0, Number(button.dataset.maxHeight) || 0);
    setSize(control, out.width, out.height);
  });

  // The shape preset matching the typed width and height shows as pressed.
  function markPreset(control) {
    var size = inputs(control);
    if (!size.width || !size.height) return;
    control.querySelectorAll("[data-aspect-width]").forEach(function (button) {
      var on = button.dataset.aspectWidth === size.width.value && button.dataset.aspectHeight === size.height.value;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  document.addEventListener("input", function (event) {
    var control = event.target.closest && event.target.closest("[data-size-control]");
    if (control) markPreset(control);
  });

  document.addEventListener("change", function (event) {
    var sized = event.target.closest && event.target.closest("[data-size-control]");
    if (sized) markPreset(sized);
    var radio = event.target;
    if (radio.type === "radio") {
      var preset = radio.closest("[data-fill-width]");
      var control = radio.closest("[data-size-control]");
      if (preset && control && radio.checked) setSize(control, preset.dataset.fillWidth, preset.dataset.fillHeight);
      return;
    }
    document.querySelectorAll('[data-size-control="upscale"]').forEach(function (control) {
      if (radio.id === control.dataset.inputField) learnInputSize(control);
    });
  });
})();
