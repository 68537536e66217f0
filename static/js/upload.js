/* Asset uploads: drop or choose files; each file goes up in its own request with its own
 * row and progress bar, then shows the server's row (thumbnail or error). One refused file
 * never stops the others. Without JS the form posts every file and the page lists results.
 *
 * Events on document: "upload:progress" {name, loaded, total} while bytes go up, and
 * "asset:uploaded" {zone, id, url, kind, thumbnail, label} when an asset is recorded (the
 * generate page's picker picks it). */
(function () {
  "use strict";

  var LIMIT_MB = 75;

  function megabytes(bytes) {
    return (bytes / 1024 / 1024).toFixed(1);
  }

  function rowsFor(zone) {
    return document.querySelector(zone.dataset.uploadRows);
  }

  function newRow(zone, name) {
    var row = document.createElement("li");
    row.className = "upload-row upload-row--sending";
    var label = document.createElement("span");
    label.className = "upload-row__name";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.className = "upload-row__progress";
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload of " + name);
    var status = document.createElement("span");
    status.className = "upload-row__status";
    status.textContent = "Waiting…";
    row.append(label, bar, status);
    rowsFor(zone).prepend(row);
    return row;
  }

  function fail(row, message) {
    row.className = "upload-row upload-row--error";
    var status = row.querySelector(".upload-row__status");
    status.textContent = message;
    status.setAttribute("role", "alert");
  }

  function finish(zone, row, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var answer = template.content.querySelector("li.upload-row");
    if (!answer) {
      fail(row, "The portal's answer could not be read; reload the assets page to check.");
      return;
    }
    var bar = row.querySelector("progress");
    bar.value = bar.max;
    answer.insertBefore(bar, answer.querySelector(".upload-row__status"));
    row.replaceWith(answer);
    var done = answer.querySelector("[data-asset-url]");
    if (done) {
      document.dispatchEvent(
        new CustomEvent("asset:uploaded", {
          detail: {
            zone: zone,
            id: done.dataset.assetId,
            url: done.dataset.assetUrl,
            kind: done.dataset.assetKind,
            thumbnail: done.dataset.assetThumbnail,
            label: done.dataset.assetLabel,
          },
        })
      );
    }
  }

  function send(zone, file) {
    var row = newRow(zone, file.name);
    var limit = Number(zone.dataset.maxBytes);
    if (limit && file.size > limit) {
      fail(row, file.name + " (" + megabytes(file.size) + " MB) is larger than " + LIMIT_MB +
        " MB, the most Krea accepts for one asset.");
      return;
    }
    var bar = row.querySelector("progress");
    var status = row.querySelector(".upload-row__status");
    var body = new FormData();
    var description = zone.querySelector("[name=description]");
    if (description && description.value.trim()) body.append("description", description.value);
    body.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", zone.dataset.action || zone.action);
    var token = zone.querySelector("[name=csrfmiddlewaretoken]") ||
      document.querySelector("[name=csrfmiddlewaretoken]");
    xhr.setRequestHeader("X-CSRFToken", token ? token.value : "");
    xhr.setRequestHeader("X-Upload-Row", "1");
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) return;
      bar.max = event.total;
      bar.value = event.loaded;
      status.textContent = megabytes(event.loaded) + " of " + megabytes(event.total) + " MB";
      document.dispatchEvent(
        new CustomEvent("upload:progress", {
          detail: { name: file.name, loaded: event.loaded, total: event.total },
        })
      );
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = bar.max;
      status.textContent = "Sending to Krea…";
    });
    xhr.addEventListener("load", function () {
      if ((xhr.getResponseHeader("Content-Type") || "").indexOf("text/html") === 0) {
        finish(zone, row, xhr.responseText);
      } else {
        fail(row, file.name + " was not uploaded (HTTP " + xhr.status + ").");
      }
    });
    xhr.addEventListener("error", function () {
      fail(row, "The upload of " + file.name + " failed: the connection was lost. Try again.");
    });
    xhr.send(body);
  }

  function sendAll(zone, files) {
    Array.prototype.forEach.call(files, function (file) {
      send(zone, file);
    });
  }

  function zoneOf(target) {
    return target && target.closest ? target.closest("[data-upload-zone]") : null;
  }

  document.addEventListener("change", function (event) {
    var zone = zoneOf(event.target);
    if (!zone || event.target.type !== "file" || !event.target.files.length) return;
    sendAll(zone, event.target.files);
    event.target.value = "";
  });

  document.addEventListener("dragover", function (event) {
    var zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.add("upload-zone--over");
  });

  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event.target);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("upload-zone--over");
  });

  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("upload-zone--over");
    if (event.dataTransfer && event.dataTransfer.files.length) sendAll(zone, event.dataTransfer.files);
  });

  // With JS, choosing files uploads them at once: the submit button is for forms without it.
  document.querySelectorAll("[data-upload-zone] .upload-zone__submit").forEach(function (button) {
    button.hidden = true;
  });
  document.addEventListener("htmx:load", function (event) {
    event.target.querySelectorAll("[data-upload-zone] .upload-zone__submit").forEach(function (button) {
      button.hidden = true;
    });
  });
})();
