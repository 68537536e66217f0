/* The page frame: the theme toggle, the header's menu on narrow screens, and table
 * cells labelled with their column so tables can stack into cards on phones. */
(function () {
  "use strict";
  var root = document.documentElement;

  function showTheme(button) {
    var dark = root.dataset.theme === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
  }

  function labelCells(scope) {
    scope.querySelectorAll("table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (!headings.length) return;
      table.classList.add("table--stackable");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (headings[index] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", headings[index]);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var themeButton = document.querySelector("[data-theme-toggle]");
    if (themeButton) {
      showTheme(themeButton);
      themeButton.addEventListener("click", function () {
        var next = root.dataset.theme === "dark" ? "light" : "dark";
        root.dataset.theme = next;
        try {
          window.localStorage.setItem("studio-theme", next);
        } catch (e) {
          /* not remembered, still applied */
        }
        showTheme(themeButton);
      });
    }

    var topbar = document.getElementById("topbar");
    var menuButton = topbar && topbar.querySelector(".menu-toggle");
    if (menuButton) {
      menuButton.addEventListener("click", function () {
        var open = topbar.classList.toggle("topbar--open");
        menuButton.setAttribute("aria-expanded", open ? "true" : "false");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && topbar.classList.contains("topbar--open")) {
          topbar.classList.remove("topbar--open");
          menuButton.setAttribute("aria-expanded", "false");
          menuButton.focus();
        }
      });
    }

    labelCells(document);
  });
  // Tables that htmx swaps in (filters, "Load more") are labelled too.
  document.addEventListener("htmx:afterSettle", function (event) {
    labelCells(event.target);
  });
})();
