/* The gallery: PhotoSwipe's lightbox over the tiles, videos that play under the pointer,
 * and selecting several tiles (click, shift-click) for the selection form.
 *
 * Every tile is plain HTML that works without this file: its link opens the file, its
 * actions are links and forms, its check box belongs to the selection form. */
const script = document.querySelector("script[data-photoswipe]");
const main = document.getElementById("main");

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
      : "Select files with their check boxes";
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

/* ---------------------------------------------------------------- lightbox */

async function lightbox() {
  if (!script || !main) return;
  const { default: PhotoSwipeLightbox } = await import(script.dataset.lightbox);
  const box = new PhotoSwipeLightbox({
    gallery: "#main",
    children: "a.tile__media",
    pswpModule: () => import(script.dataset.photoswipe),
    showHideAnimationType: "fade",
    bgOpacity: 0.92,
    closeTitle: "Close (Esc)",
    arrowPrevTitle: "Previous (←)",
    arrowNextTitle: "Next (→)",
  });

  box.addFilter("itemData", (data, index) => {
    const link = data.element;
    if (link && link.dataset.kind === "video") data.type = "video";
    if (!data.width || !data.height) {
      const media = link && link.querySelector("img, video");
      data.width = (media && (media.naturalWidth || media.videoWidth || media.width)) || 1024;
      data.height = (media && (media.naturalHeight || media.videoHeight || media.height)) || 1024;
    }
    data.alt = link && link.querySelector("img") ? link.querySelector("img").alt : "";
    return data;
  });

  box.on("contentLoad", (event) => {
    const { content } = event;
    if (content.type !== "video") return;
    event.preventDefault();
    const video = document.createElement("video");
    video.className = "lightbox-video";
    video.src = content.data.src;
    video.controls = true;
    video.loop = true;
    video.playsInline = true;
    video.preload = "metadata";
    const poster = content.data.element && content.data.element.querySelector("video");
    if (poster && poster.poster) video.poster = poster.poster;
    content.element = document.createElement("div");
    content.element.className = "lightbox-video__frame";
    content.element.appendChild(video);
  });
  box.on("contentActivate", ({ content }) => {
    const video = content.element && content.element.querySelector("video");
    if (video) video.play().catch(() => {});
  });
  box.on("contentDeactivate", ({ content }) => {
    const video = content.element && content.element.querySelector("video");
    if (video) video.pause();
  });

  // Keys work once the opening animation has ended: say so (browser tests wait for it).
  box.on("openingAnimationEnd", () => box.pswp.element.setAttribute("data-ready", ""));

  box.on("uiRegister", () => {
    box.pswp.ui.registerElement({
      name: "details",
      appendTo: "root",
      className: "lightbox-details",
      onInit: (element, pswp) => {
        element.setAttribute("aria-live", "polite");
        pswp.on("change", () => {
          const tile = pswp.currSlide.data.element && pswp.currSlide.data.element.closest(".tile");
          element.replaceChildren();
          if (!tile) return;
          const details = tile.querySelector("template.tile__details");
          if (details) element.appendChild(details.content.cloneNode(true));
          const actions = tile.querySelector(".tile__actions");
          if (actions) element.appendChild(actions.cloneNode(true));
          if (window.htmx) window.htmx.process(element);
        });
      },
    });
  });
  box.init();
}

// The filters start open where there is room for them, folded on a phone.
if (window.matchMedia("(min-width: 700px)").matches) {
  for (const details of document.querySelectorAll("details[data-open-wide]")) details.open = true;
}

refreshSelection();
lightbox();
