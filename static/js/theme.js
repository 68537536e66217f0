/* The colour theme, light or dark: the member's choice (remembered in localStorage),
 * else the system's. Loaded in <head> without defer so the page is never painted in
 * the other theme first; the toggle button itself is wired up by layout.js. */
(function () {
  "use strict";
  var root = document.documentElement;
  var saved = null;
  try {
    saved = window.localStorage.getItem("studio-theme");
  } catch (e) {
    /* storage refused (private mode): follow the system */
  }
  var dark = saved ? saved === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "dark" : "light";
  root.classList.add("js");
})();
