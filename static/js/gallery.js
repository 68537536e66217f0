/* The gallery: videos that play under the pointer, favourites kept in step between a tile
 * and the lightbox (output_lightbox.js), and selecting several tiles (click, shift-click)
 * for the selection form.
 *
 * Every tile is plain HTML that works without this file: its link opens the file, its
 * actions are links and forms, its check box belongs to the selection form. */

/* ---------------------------------------------------------------- selection */

let lastBox = null;

function boxes() {
  return Array.from(document.querySelectorAll('.tile__select input[type="checkbox"]'));
}

function refreshSelection() {
  const chosen = boxes().filter((box) => box.checked);
  document.body.classList.toggle("is-selecting", chosen.length > 0);
  for (const box of boxes()) box.closest(".tile").classList.toggle("tile--selected", box.checked);
  const count = document.querySelector("[data-selection-count]");
  if (count) {
    count.textContent = chosen.length
      ? `${chosen.length} selected`
      : "Tick files (shift-click for a range) to download them as a zip, collect or delete them";
  }
  const clear = document.querySelector("[data-selection-clear]");
  if (clear) clear.hidden = chosen.length === 0;
}

function choose(box, event) {
  // Shift-click sets every box between the last one clicked and this one like this one.
  if (event.shiftKey && lastBox && lastBox !== box && document.contains(lastBox)) {
    const all = boxes();
    const [from, to] = [all.indexOf(lastBox), all.indexOf(box)].sort((a, b) => a - b);
    for (const other of all.slice(from, to + 1)) other.checked = box.checked;
  }
  lastBox = box;
  refreshSelection();
}

document.addEventListener("click", (event) => {
  const box = event.target.closest('.tile__select input[type="checkbox"]');
  if (box) {
    choose(box, event);
    return;
  }
  // While some tiles are selected, a click on a tile (or a shift-click anytime) selects it.
  const media = event.target.closest("a.tile__media");
  if (!media || event.button !== 0 || event.ctrlKey || event.metaKey || event.altKey) return;
  if (!document.body.classList.contains("is-selecting") && !event.shiftKey) return;
  event.preventDefault();
  event.stopPropagation();
  const tileBox = media.closest(".tile").querySelector('.tile__select input[type="checkbox"]');
  tileBox.checked = !tileBox.checked;
  choose(tileBox, event);
}, true);

document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-selection-clear]")) return;
  for (const box of boxes()) box.checked = false;
  refreshSelection();
});

/* ---------------------------------------------------------------- videos */

function play(tile) {
  const video = tile && tile.querySelector("video.tile__video");
  if (video) video.play().catch(() => {});
}

function pause(tile) {
  const video = tile && tile.querySelector("video.tile__video");
  if (video) video.pause();
}

document.addEventListener("pointerover", (event) => {
  const tile = event.target.closest(".tile--video");
  if (tile && !tile.contains(event.relatedTarget)) play(tile);
});
document.addEventListener("pointerout", (event) => {
  const tile = event.target.closest(".tile--video");
  if (tile && !tile.contains(event.relatedTarget)) pause(tile);
});
document.addEventListener("focusin", (event) => play(event.target.closest(".tile--video")));
document.addEventListener("focusout", (event) => pause(event.target.closest(".tile--video")));

/* ---------------------------------------------------------------- favourites */

// A favourite toggled in the lightbox (a copy of the tile's actions) updates the tile, and
// the other way round: every copy of that output's button takes the answer.
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!event.detail.successful || !form.classList || !form.classList.contains("fav-form")) return;
  const html = event.detail.xhr.responseText;
  setTimeout(() => {
    for (const node of document.querySelectorAll(`.fav-form[data-output="${form.dataset.output}"]`)) {
      const template = document.createElement("template");
      template.innerHTML = html.trim();
      const copy = template.content.firstElementChild;
      node.replaceWith(copy);
      if (window.htmx) window.htmx.process(copy);
    }
  }, 60);
});
document.addEventListener("htmx:afterSettle", refreshSelection);
// A finished job's tiles arrived live (live.js): the "nothing yet" card goes.
document.addEventListener("htmx:afterSettle", () => {
  if (!document.querySelector("#gallery-list .tile")) return;
  for (const empty of document.querySelectorAll("#gallery-results [data-live-empty]")) empty.remove();
});

// The filters start open where there is room for them, folded on a phone.
if (window.matchMedia("(min-width: 700px)").matches) {
  for (const details of document.querySelectorAll("details[data-open-wide]")) details.open = true;
}

refreshSelection();
