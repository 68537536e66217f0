/* The lightbox over outputs, on every page that shows them (gallery, collections, a job,
 * the workspace, a node-app run): PhotoSwipe, vendored in static/vendor/photoswipe.
 *
 * It listens on <main>, which htmx never replaces, and finds the outputs when one is
 * clicked: outputs swapped in by live updates or "Load more" open like the others, with
 * no re-initialisation. An output is a link marked data-lightbox, inside an element marked
 * data-lightbox-item that holds its details (a <template data-lightbox-details>) and, in
 * the gallery, its live actions ([data-lightbox-actions]). Without JS the link opens the file. */
const script = document.querySelector("script[data-photoswipe]");
const main = document.getElementById("main");

function videoSlide(event) {
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
}

function showDetails(element, pswp) {
  const link = pswp.currSlide.data.element;
  const item = link && link.closest("[data-lightbox-item]");
  element.replaceChildren();
  if (!item) return;
  const details = item.querySelector("template[data-lightbox-details]");
  if (details) element.appendChild(details.content.cloneNode(true));
  // The gallery's actions are copied live, so a favourite shows its current state.
  const actions = item.querySelector("[data-lightbox-actions]");
  if (actions) element.querySelector(".details").appendChild(actions.cloneNode(true));
  if (window.htmx) window.htmx.process(element);
}

async function lightbox() {
  if (!script || !main) return;
  const { default: PhotoSwipeLightbox } = await import(script.dataset.lightbox);
  const box = new PhotoSwipeLightbox({
    gallery: main,
    children: "a[data-lightbox]",
    pswpModule: () => import(script.dataset.photoswipe),
    showHideAnimationType: "fade",
    bgOpacity: 0.92,
    // Room under the picture for its prompt, parameters and actions, so they never cover it.
    paddingFn: (viewport) => {
      const side = viewport.x < 600 ? 0 : 16;
      return { top: side, left: side, right: side, bottom: Math.round(Math.min(200, viewport.y * 0.3)) };
    },
    closeTitle: "Close (Esc)",
    arrowPrevTitle: "Previous (←)",
    arrowNextTitle: "Next (→)",
  });

  box.addFilter("itemData", (data) => {
    const link = data.element;
    if (link && link.dataset.kind === "video") data.type = "video";
    if (!data.width || !data.height) {
      const media = link && link.querySelector("img, video");
      data.width = (media && (media.naturalWidth || media.videoWidth || media.width)) || 1024;
      data.height = (media && (media.naturalHeight || media.videoHeight || media.height)) || 1024;
    }
    const image = link && link.querySelector("img");
    data.alt = image ? image.alt : "";
    return data;
  });

  box.on("contentLoad", videoSlide);
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
        pswp.on("change", () => showDetails(element, pswp));
      },
    });
  });
  box.init();
  // A click before this point opened the file's own page, as without JS: say the lightbox
  // now listens (browser tests wait for it before they click).
  main.setAttribute("data-lightbox-ready", "");
}

lightbox();
