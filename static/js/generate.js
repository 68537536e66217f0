/* Generate page: aspect presets and the asset picker, without a round trip.
 * Without JS the presets are submit buttons (the server fills in width and height)
 * and URLs are typed in; this only makes both instant. */
(function () {
  "use strict";

  function changed(field) {
    // The form's htmx trigger listens for "change": the estimate follows.
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function pickerFor(fieldId) {
    return document.querySelector('[data-picker][data-pick-for="' + fieldId + '"]');
  }

  // A list of rows (style images with a strength, Kling's elements with their images):
  // the URL input (or one-per-line textarea) of every row.
  function rowInputs(field) {
    var match = field.id.match(/^(.*)-\d+-([a-z_]+)$/);
    if (!match) return null;
    var box = field.closest("fieldset") || document;
    return Array.prototype.filter.call(box.querySelectorAll("input, textarea"), function (input) {
      return input.id.indexOf(match[1] + "-") === 0 && input.id.slice(-match[2].length - 1) === "-" + match[2];
    });
  }

  function lines(input) {
    return input.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
  }

  function values(field) {
    var rows = rowInputs(field);
    if (rows) return rows.reduce(function (all, input) { return all.concat(lines(input)); }, []);
    if (field.tagName === "TEXTAREA") return lines(field);
    return field.value.trim() ? [field.value.trim()] : [];
  }

  // Rows holding several files each: picks go to the row last clicked in, else the
  // first row with room (``data-max``: the schema's maxItems for one row).
  function rowWithRoom(rows, picker) {
    var room = function (input) {
      var max = input.dataset.max ? Number(input.dataset.max) : 0;
      return !max || lines(input).length < max;
    };
    var chosen = rows.find(function (input) { return input.id === picker.dataset.row; });
    if (chosen && room(chosen)) return chosen;
    return rows.find(room);
  }

  function known(fieldId, url) {
    var picker = pickerFor(fieldId);
    return picker ? picker.querySelector('[data-pick-url="' + CSS.escape(url) + '"]') : null;
  }

  // The picked files as removable thumbnails under the field.
  function showPicked(field) {
    var strip = document.querySelector('[data-picked-for="' + field.id + '"]');
    if (!strip) return;
    strip.replaceChildren();
    values(field).forEach(function (url) {
      var item = known(field.id, url);
      if (!item) return;
      var chip = document.createElement("span");
      chip.className = "picked";
      var image = document.createElement("img");
      image.src = item.dataset.pickThumbnail;
      image.alt = item.dataset.pickLabel;
      image.width = 48;
      image.height = 48;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link picked__remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + item.dataset.pickLabel);
      remove.dataset.removeUrl = url;
      remove.dataset.removeFrom = field.id;
      chip.append(image, remove);
      strip.append(chip);
    });
  }

  function pick(field, url) {
    var picker = pickerFor(field.id);
    var max = picker && picker.dataset.max ? Number(picker.dataset.max) : 0;
    var rows = rowInputs(field);
    if (rows && rows[0].tagName === "TEXTAREA") {
      var row = rowWithRoom(rows, picker);
      if (!row) return false;
      row.value = lines(row).concat([url]).join("\n");
      changed(row);
    } else if (rows) {
      var empty = rows.find(function (input) { return !input.value.trim(); });
      if (!empty) return false;
      empty.value = url;
      changed(empty);
    } else if (field.tagName === "TEXTAREA") {
      var urls = values(field);
      if (urls.indexOf(url) !== -1) return true;
      if (max && urls.length >= max) return false;
      urls.push(url);
      field.value = urls.join("\n");
      changed(field);
    } else {
      field.value = url;
      changed(field);
    }
    showPicked(field);
    return true;
  }

  function unpick(field, url) {
    var rows = rowInputs(field);
    if (rows) {
      rows.forEach(function (input) {
        input.value = lines(input).filter(function (line) { return line !== url; }).join("\n");
      });
    } else if (field.tagName === "TEXTAREA") {
      field.value = values(field).filter(function (line) { return line !== url; }).join("\n");
    } else if (field.value.trim() === url) {
      field.value = "";
    }
    changed(field);
    showPicked(field);
  }

  // A recent output has no URL for Krea until it is picked: the portal answers with its
  // Krea URL while Krea serves it, else with the URL of a team asset made from the stored
  // copy. The answer is kept on the item, so picking it again is instant.
  function resolveOutput(picker, field, output) {
    var status = picker.querySelector(".asset-picker__status");
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    output.setAttribute("aria-busy", "true");
    if (status) status.textContent = "Getting a copy Krea can read…";
    fetch(output.dataset.pickOutput, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok || !answer.body.url) throw new Error(answer.body.error || "");
        output.dataset.pickUrl = answer.body.url;
        if (status) status.textContent = "";
        if (!pick(field, answer.body.url)) {
          picker.querySelector("summary").textContent = "This field takes no more files: remove one first.";
        }
      })
      .catch(function (error) {
        if (status) status.textContent = error.message || "This output could not be prepared for Krea. Try again.";
      })
      .finally(function () { output.removeAttribute("aria-busy"); });
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
    var output = event.target.closest("[data-pick-output]");
    if (output && !output.dataset.pickUrl) {
      var outputPicker = output.closest("[data-picker]");
      var target = outputPicker && document.getElementById(outputPicker.dataset.pickFor);
      if (!target) return;
      event.preventDefault();
      resolveOutput(outputPicker, target, output);
      return;
    }
    var item = event.target.closest("[data-pick-url]");
    if (item) {
      var picker = item.closest("[data-picker]");
      var field = picker && document.getElementById(picker.dataset.pickFor);
      if (!field) return;
      event.preventDefault();
      if (!pick(field, item.dataset.pickUrl)) {
        item.setCustomValidity && item.setCustomValidity("");
        picker.querySelector("summary").textContent = "This field takes no more files: remove one first.";
      }
      return;
    }
    var remove = event.target.closest("[data-remove-url]");
    if (remove) {
      var from = document.getElementById(remove.dataset.removeFrom);
      if (from) unpick(from, remove.dataset.removeUrl);
    }
  });

  // Clicking into a row of a field whose rows hold several files points its picker there.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.tagName !== "TEXTAREA" || !input.dataset.accepts) return;
    var match = input.id.match(/^(.*)-\d+-([a-z_]+)$/);
    var picker = match && pickerFor(match[1] + "-0-" + match[2]);
    if (!picker) return;
    picker.dataset.row = input.id;
    var status = picker.querySelector(".asset-picker__row");
    if (status) status.textContent = "Picks go to row " + (Number(input.id.match(/-(\d+)-[a-z_]+$/)[1]) + 1) + ".";
  });

  // Search the picker's assets by name.
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("asset-picker__search")) return;
    var words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    var picker = event.target.closest("[data-picker]");
    picker.querySelectorAll("[data-pick-label]").forEach(function (item) {
      var label = item.dataset.pickLabel.toLowerCase();
      item.parentElement.hidden = !words.every(function (word) { return label.indexOf(word) !== -1; });
    });
  });

  // An asset uploaded from a picker joins its list and is picked at once.
  document.addEventListener("asset:uploaded", function (event) {
    var picker = event.detail.zone.closest("[data-picker]");
    if (!picker || event.detail.kind !== picker.dataset.kind) return;
    var field = document.getElementById(picker.dataset.pickFor);
    if (!field) return;
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary asset-picker__item";
    button.dataset.pickUrl = event.detail.url;
    button.dataset.pickThumbnail = event.detail.thumbnail;
    button.dataset.pickLabel = event.detail.label;
    var image = document.createElement("img");
    image.src = event.detail.thumbnail;
    image.alt = "";
    image.width = 48;
    image.height = 48;
    var label = document.createElement("span");
    label.textContent = event.detail.label;
    button.append(image, " ", label);
    item.append(button);
    picker.querySelector(".asset-picker__list").prepend(item);
    pick(field, event.detail.url);
  });

  function showAll() {
    document.querySelectorAll("[data-picked-for]").forEach(function (strip) {
      var field = document.getElementById(strip.dataset.pickedFor);
      if (field) showPicked(field);
    });
  }
  showAll();
  document.addEventListener("htmx:afterSettle", showAll);
})();
