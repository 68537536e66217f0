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

/* The workspace: keyboard submit, errors brought into view, seeds and prompts picked from
 * the results, and the values a member typed carried over to the next model they pick. */
(function () {
  "use strict";

  var CARRY_KEY = "generate:carry";

  function form() { return document.getElementById("generate-form"); }

  function changed(field) { field.dispatchEvent(new Event("change", { bubbles: true })); }

  // Ctrl+Enter (Cmd+Enter on a Mac) anywhere in the form submits it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var submit = document.getElementById("generate-submit");
    if (!submit || !form() || !form().contains(event.target)) return;
    event.preventDefault();
    submit.click();
  });

  // A submit with errors: the summary at the top lists them; the first invalid field is
  // scrolled to and focused, so the member sees what to fix without hunting for it.
  function focusFirstError() {
    var box = form();
    if (!box || !box.querySelector("#error-summary")) return;
    var field = box.querySelector(".field--error input:not([type=hidden]), .field--error select, .field--error textarea");
    if (!field) {
      document.getElementById("error-summary").scrollIntoView({ block: "start" });
      return;
    }
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("#error-summary a[href^='#']");
    if (link) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target) {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
      return;
    }
    var seed = event.target.closest("[data-use-seed]");
    if (seed) {
      var seedInput = form() && form().querySelector("[name=seed]");
      var lock = form() && form().querySelector("[name='run-seed_lock']");
      if (!seedInput) return;
      seedInput.value = seed.dataset.useSeed;
      if (lock) lock.checked = true;
      changed(seedInput);
      seedInput.focus();
      return;
    }
    var prompt = event.target.closest("[data-use-prompt]");
    if (prompt) {
      var promptInput = form() && form().querySelector("[name=prompt]");
      if (!promptInput) return;
      promptInput.value = prompt.dataset.usePrompt;
      changed(promptInput);
      var history = prompt.closest("details");
      if (history) history.open = false;
      promptInput.focus();
      return;
    }
    // Another model: keep what was typed for the fields the new model also has.
    var model = event.target.closest("a.model-item[data-model-id]");
    if (model && form() && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      var values = [];
      Array.prototype.forEach.call(form().elements, function (element) {
        if (!element.name || element.name.charAt(0) === "_" || element.name === "csrfmiddlewaretoken") return;
        if (element.type === "file" || element.type === "submit" || element.type === "button") return;
        values.push({ name: element.name, type: element.type, value: element.value, checked: element.checked });
      });
      try {
        sessionStorage.setItem(CARRY_KEY, JSON.stringify({ model: model.dataset.modelId, values: values }));
      } catch (error) { /* private mode: the new model starts from its defaults */ }
    }
  });

  function restoreCarried() {
    var box = form();
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(CARRY_KEY) || "null");
      sessionStorage.removeItem(CARRY_KEY);
    } catch (error) { return; }
    if (!box || !saved || saved.model !== box.dataset.modelId) return;
    saved.values.forEach(function (item) {
      var matches = box.querySelectorAll("[name='" + CSS.escape(item.name) + "']");
      if (!matches.length) return;
      if (item.type === "radio" || item.type === "checkbox") {
        Array.prototype.forEach.call(matches, function (element) {
          if (element.type !== item.type) return;
          if (element.value === item.value) element.checked = item.checked;
        });
        return;
      }
      var element = matches[0];
      if (element.type === "radio" || element.type === "checkbox") return;
      if (element.tagName === "SELECT") {
        var known = Array.prototype.some.call(element.options, function (option) { return option.value === item.value; });
        if (!known) return;  // the new model has no such choice: keep its default
      }
      element.value = item.value;
    });
    changed(box);
  }

  // Typing a seed means keeping it.
  document.addEventListener("input", function (event) {
    if (event.target.name !== "seed" || !form() || !form().contains(event.target)) return;
    var lock = form().querySelector("[name='run-seed_lock']");
    if (lock && event.target.value.trim()) lock.checked = true;
  });

  // On a phone the results are under the form: show the run that was just added.
  function showNewRun() {
    if (window.matchMedia("(min-width: 901px)").matches) return;
    if (document.getElementById("error-summary") || document.getElementById("confirm-run")) return;
    var newest = document.querySelector("#results .job-group");
    if (newest) newest.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "generate-panel") return;
    focusFirstError();
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "post") showNewRun();
  });
  restoreCarried();
  focusFirstError();
})();
