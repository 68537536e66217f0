// Styles pages: "Copy" buttons put a field's value on the clipboard (no inline script: CSP);
// on the train page, an image uploaded inline joins the training images, picked.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = document.querySelector(button.dataset.copy);
    const status = button.closest(".field")?.querySelector("[data-copy-status]");
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = "Copied.";
    } catch {
      field.select();
      if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
}

document.addEventListener("asset:uploaded", (event) => {
  const list = document.querySelector("#training-image-list");
  const { zone, id, kind, thumbnail, label } = event.detail;
  if (!list || !id || kind !== "image" || !zone.closest("#training-images")) return;
  const item = document.createElement("li");
  const choice = document.createElement("label");
  choice.className = "image-picker__item";
  const box = Object.assign(document.createElement("input"), { type: "checkbox", name: "images", value: id, checked: true });
  const image = Object.assign(document.createElement("img"), { alt: "", width: 96, height: 96 });
  image.src = thumbnail || "/static/img/asset-image.svg";
  const name = Object.assign(document.createElement("span"), { className: "small", textContent: label });
  choice.append(box, image, name);
  item.append(choice);
  list.prepend(item);
  document.querySelector("#training-images-empty")?.remove();
  box.dispatchEvent(new Event("change", { bubbles: true }));
});
