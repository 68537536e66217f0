/* Gallery lightbox on the native <dialog>. Each thumbnail is a plain link to the
 * file, so without JS (or with a modifier key) it simply opens the file. */
(function () {
  "use strict";

  function dialog() {
    return document.getElementById("lightbox");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-lightbox]");
    var box = dialog();
    if (!link || !box || typeof box.showModal !== "function") return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();

    var media;
    if (link.dataset.kind === "video") {
      media = document.createElement("video");
      media.controls = true;
      media.autoplay = true;
      media.playsInline = true;
    } else {
      media = document.createElement("img");
      var thumb = link.querySelector("img");
      media.alt = thumb ? thumb.alt : "";
    }
    media.src = link.href;
    box.querySelector(".lightbox__media").replaceChildren(media);
    box.querySelector(".lightbox__download").href = link.dataset.download || link.href + "?download=1";
    var job = box.querySelector(".lightbox__job");
    job.href = link.dataset.job || "#";
    job.hidden = !link.dataset.job;
    var use = box.querySelector(".lightbox__use");
    use.href = link.dataset.use || "#";
    use.hidden = !link.dataset.use;
    box.showModal();
  });

  document.addEventListener("click", function (event) {
    // A click on the backdrop (the dialog itself, outside its content) closes it.
    var box = dialog();
    if (box && event.target === box) box.close();
  });

  document.addEventListener(
    "close",
    function (event) {
      // Stop a playing video when the lightbox closes.
      if (event.target === dialog()) event.target.querySelector(".lightbox__media").replaceChildren();
    },
    true
  );
})();
