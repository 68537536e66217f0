/* The generate form's styles picker (templates/styles/_styles_picker.html): add a style
 * found by the search or typed by id, set its strength on a slider, remove it. Rows are
 * numbered again after each change, as the schema form reads them (styles-0-id, ...).
 * Without JS a style id is typed in the last row and sent as is. */
(function () {
  "use strict";
  if (window.stylesPickerReady) return;  // the generate panel may be swapped in again
  window.stylesPickerReady = true;

  function changed(input) {
    // The form's htmx trigger listens for "change": the estimate follows.
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function renumber(picker) {
    var name = picker.dataset.name;
    var rows = picker.querySelectorAll("[data-style-row], [data-style-typed]");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-style-id], [data-style-strength]").forEach(function (input) {
        var part = input.hasAttribute("data-style-id") ? "id" : "strength";
        input.name = name + "-" + index + "-" + part;
      });
    });
  }

  function pickedIds(picker) {
    return Array.prototype.map.call(
      picker.querySelectorAll("[data-style-row] [data-style-id]"),
      function (input) { return input.value; }
    );
  }

  function addRow(picker, style) {
    var list = picker.querySelector("[data-styles-picked]");
    if (pickedIds(picker).indexOf(style.id) !== -1) return;
    var max = Number(picker.dataset.maxStyles || 0);
    if (max && pickedIds(picker).length >= max) {
      picker.querySelector("summary").textContent = "No more styles fit: remove one first.";
      return;
    }
    var row = document.createElement("li");
    row.className = "styles-picker__row";
    row.dataset.styleRow = "";
    var id = document.createElement("input");
    id.type = "hidden";
    id.value = style.id;
    id.dataset.styleId = "";
    var cover;
    if (style.cover) {
      cover = document.createElement("img");
      cover.src = style.cover;
      cover.alt = "";
      cover.width = 40;
      cover.height = 40;
    } else {
      cover = document.createElement("span");
      cover.className = "styles-picker__blank";
      cover.setAttribute("aria-hidden", "true");
      cover.textContent = "◆";
    }
    var name = document.createElement("span");
    name.className = "styles-picker__name";
    name.textContent = style.name;
    var label = document.createElement("label");
    label.className = "styles-picker__strength";
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " of " + style.name;
    var slider = document.createElement("input");
    slider.type = "range";
    slider.min = picker.dataset.min;
    slider.max = picker.dataset.max;
    slider.step = picker.dataset.step;
    slider.value = style.strength || "1";
    slider.dataset.styleStrength = "";
    var output = document.createElement("output");
    output.textContent = slider.value;
    label.append("Strength", hidden, " ", slider, " ", output);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link";
    remove.dataset.styleRemove = "";
    remove.setAttribute("aria-label", "Remove " + style.name);
    remove.textContent = "Remove";
    row.append(id, cover, " ", name, " ", label, " ", remove);
    list.append(row);
    renumber(picker);
    changed(slider);
  }

  document.addEventListener("click", function (event) {
    var picker = event.target.closest("[data-styles-picker]");
    if (!picker) return;
    var choice = event.target.closest("[data-style-add]");
    if (choice) {
      event.preventDefault();
      addRow(picker, {
        id: choice.dataset.styleAdd,
        name: choice.dataset.styleName,
        cover: choice.dataset.styleCover,
      });
      return;
    }
    if (event.target.closest("[data-style-add-typed]")) {
      event.preventDefault();
      var typed = picker.querySelector("[data-style-typed]");
      var idInput = typed.querySelector("[data-style-id]");
      var value = idInput.value.trim();
      if (!value) return;
      addRow(picker, { id: value, name: value, strength: typed.querySelector("[data-style-strength]").value });
      idInput.value = "";
      return;
    }
    var remove = event.target.closest("[data-style-remove]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest("[data-style-row]");
      var next = picker.querySelector("summary");
      row.remove();
      renumber(picker);
      changed(next);
      picker.querySelector("summary").textContent = "Add a style";
    }
  });

  // The slider's value beside it, as it moves.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-styles-picker] input[type=range]")) return;
    var output = event.target.parentElement.querySelector("output");
    if (output) output.textContent = event.target.value;
  });

  // Enter in the typed id adds it rather than submitting the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest("[data-style-typed]")) return;
    var picker = event.target.closest("[data-styles-picker]");
    event.preventDefault();
    picker.querySelector("[data-style-add-typed]").click();
  });
})();
