/* Live updates on every page of a team member (docs/architecture.md, "Live updates").
 *
 * About once a second (four times while a job on screen or of the member's is in flight,
 * every 5 s while the tab is hidden) it asks the team's events
 * endpoint whether anything changed since the version it last saw, naming the
 * running jobs on screen (they are then refreshed from Krea by the server, at most
 * every 3 s each) and the finished ones still waiting for their files. It sends the
 * page's live token (signed by the server for this member's team, renewed by each full
 * answer), so "nothing changed" is an empty 204 from one cache read, without the
 * session. Something changed: the state of
 * those jobs, of the member's running jobs and the team's newest jobs, and then
 *  - every element showing a job whose state differs (a row, a card: they carry
 *    data-live-job, data-live-state and an hx-get with hx-trigger="studio:changed")
 *    is told to fetch itself again;
 *  - lists marked data-live-list get the team's new jobs at the top, and the gallery
 *    (data-live-gallery) their tiles once their files are in;
 *  - a finished job of the member's shows a toast and, if they allowed it, a
 *    browser notification.
 */
(function () {
  "use strict";
  var VISIBLE_MS = 1000;
  var BUSY_MS = 250; // while a job on screen or of the member's is in flight: its end shows sooner
  var HIDDEN_MS = 5000;
  var TOAST_MS = 10000;
  var MINE_KEY = "studio-live-mine";
  var endpoint = document.body.dataset.liveUrl;
  if (!endpoint || !window.fetch) return;
  var version = "";
  var token = document.body.dataset.liveToken || "";
  var timer = null;
  var inflight = false;

  function loadMine() {
    try {
      return JSON.parse(window.sessionStorage.getItem(MINE_KEY) || "{}");
    } catch (e) {
      return {};
    }
  }
  var mine = loadMine(); // uuid -> model name: the member's jobs last seen running

  function saveMine() {
    try {
      window.sessionStorage.setItem(MINE_KEY, JSON.stringify(mine));
    } catch (e) {
      /* this page still tracks them */
    }
  }

  function onScreen(selector) {
    var seen = {};
    document.querySelectorAll(selector).forEach(function (el) {
      seen[el.dataset.liveJob] = true;
    });
    return Object.keys(seen);
  }

  // One toast per model and outcome while it is on screen: a Generate x4 finishing says
  // "Flux: 4 jobs completed." once, not four times over the page.
  var toasts = {};

  function toastText(text, job, count) {
    var strong = document.createElement("strong");
    strong.textContent = job.model;
    var label = job.label.toLowerCase();
    text.replaceChildren(strong, count > 1 ? ": " + count + " jobs " + label + "." : " " + label + ".");
  }

  function toast(job) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var key = job.model + "|" + job.label;
    var shown = toasts[key];
    if (shown && shown.item.isConnected) {
      shown.count += 1;
      toastText(shown.text, job, shown.count);
      shown.open.href = job.url; // the newest of them
      window.clearTimeout(shown.timer);
      shown.timer = window.setTimeout(function () {
        shown.item.remove();
      }, TOAST_MS);
    } else {
      var item = document.createElement("div");
      item.className = "toast toast--" + job.tone;
      var text = document.createElement("p");
      text.className = "toast__text";
      toastText(text, job, 1);
      var open = document.createElement("a");
      open.href = job.url;
      open.textContent = "Open";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "link";
      close.textContent = "Dismiss";
      close.addEventListener("click", function () {
        item.remove();
      });
      item.append(text, open, close);
      box.append(item);
      shown = toasts[key] = { item: item, text: text, open: open, count: 1 };
      shown.timer = window.setTimeout(function () {
        item.remove();
      }, TOAST_MS);
    }
    if ("Notification" in window && Notification.permission === "granted" && document.hidden) {
      // The tag makes several open tabs show one notification, not one each.
      var note = new Notification(job.model + " " + job.label.toLowerCase(), { tag: job.uuid, body: job.prompt });
      note.onclick = function () {
        window.focus();
        window.location.href = job.url;
      };
    }
  }

  var preloaded = [];

  function refresh(job) {
    var stale = false;
    document.querySelectorAll('[data-live-job="' + job.uuid + '"]').forEach(function (el) {
      if (el.dataset.liveState !== job.state && window.htmx) {
        stale = true;
        window.htmx.trigger(el, "studio:changed");
      }
    });
    // A finished job's images at Krea, fetched while its card is: the card's <img> then
    // finds them in the browser's cache.
    if (stale && job.results) {
      job.results.forEach(function (url) {
        var img = new Image();
        img.src = url;
        preloaded.push(img);
      });
      preloaded = preloaded.slice(-8);
    }
  }

  function addNewest(newest) {
    if (!window.htmx) return;
    document.querySelectorAll("[data-live-list]").forEach(function (list) {
      var fresh = [];
      for (var i = 0; i < newest.length; i++) {
        if (list.querySelector('[data-live-job="' + newest[i].uuid + '"]')) break;
        if (!document.getElementById("job-row-" + newest[i].uuid)) fresh.push(newest[i]);
      }
      fresh.reverse().forEach(function (job) {
        var row = document.createElement("li");
        row.id = "job-row-" + job.uuid;
        row.className = "job-row job-row--loading";
        row.dataset.liveJob = job.uuid;
        list.prepend(row);
        window.htmx.ajax("GET", job.url, { target: row, swap: "outerHTML" });
      });
      if (fresh.length) {
        document.querySelectorAll("[data-live-empty]").forEach(function (el) {
          el.remove();
        });
        var limit = parseInt(list.dataset.liveList, 10);
        if (limit > 0) {
          while (list.children.length > limit) list.lastElementChild.remove();
        }
      }
    });
  }

  // The whole gallery: a new job of the team gets a hidden slot at the top, which follows
  // the job and becomes its tiles once its files are in (gallery/_pending.html).
  var ZERO_UUID = "00000000-0000-0000-0000-000000000000";

  function addToGallery(newest) {
    if (!window.htmx) return;
    document.querySelectorAll("[data-live-gallery]").forEach(function (list) {
      var known = list.dataset.liveGallery ? list.dataset.liveGallery.split(",") : [];
      newest
        .slice()
        .reverse()
        .forEach(function (job) {
          if (known.indexOf(job.uuid) >= 0) return;
          known.push(job.uuid);
          var slot = document.createElement("li");
          slot.id = "gallery-job-" + job.uuid;
          slot.hidden = true;
          list.prepend(slot);
          window.htmx.ajax("GET", list.dataset.liveTiles.replace(ZERO_UUID, job.uuid), { target: slot, swap: "outerHTML" });
        });
      list.dataset.liveGallery = known.slice(-50).join(",");
    });
  }

  // The team's newest jobs this page has seen. A new one of the member's is followed even
  // if it started and ended between two polls (every 5 s in a background tab): it would
  // never have been seen running, and its toast and notification never shown.
  var seenNewest = null;

  function followNewOfMine(newest) {
    var first = seenNewest === null;
    if (first) seenNewest = {};
    var added = false;
    newest.forEach(function (job) {
      if (seenNewest[job.uuid]) return;
      seenNewest[job.uuid] = true;
      if (!first && job.mine && !mine[job.uuid]) {
        mine[job.uuid] = true;
        added = true;
      }
    });
    if (added) version = ""; // the next answer is a full one: it says how those jobs stand
  }

  function apply(data) {
    version = data.version;
    if (data.token) token = data.token;
    data.jobs.forEach(function (job) {
      refresh(job);
      if (!job.mine) return;
      if (!job.terminal) {
        mine[job.uuid] = job.model;
      } else if (mine[job.uuid]) {
        delete mine[job.uuid];
        toast(job);
      }
    });
    followNewOfMine(data.newest);
    saveMine();
    addNewest(data.newest);
    addToGallery(data.newest);
  }

  function poll() {
    timer = null;
    inflight = true;
    var query = new URLSearchParams({
      v: version,
      watch: onScreen("[data-live-job][data-live-active]").join(","),
      follow: onScreen("[data-live-job][data-live-follow]:not([data-live-active])").join(","),
      mine: Object.keys(mine).join(","),
      t: token,
    });
    window
      .fetch(endpoint + "?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.headers.get("X-Live-Token")) token = response.headers.get("X-Live-Token");
        if (response.status === 200) return response.json().then(apply);
        return null;
      })
      .catch(function () {
        /* offline for a moment: the next poll catches up */
      })
      .then(function () {
        inflight = false;
        schedule();
      });
  }

  function schedule() {
    if (timer) window.clearTimeout(timer);
    var busy = Object.keys(mine).length || document.querySelector("[data-live-follow]");
    timer = window.setTimeout(poll, document.hidden ? HIDDEN_MS : busy ? BUSY_MS : VISIBLE_MS);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !inflight) {
      if (timer) window.clearTimeout(timer);
      poll();
    }
  });

  // "Notify me when my jobs finish": offered while the browser has not been asked yet.
  var ask = document.querySelector("[data-notify-toggle]");
  if (ask && "Notification" in window && Notification.permission === "default") {
    ask.hidden = false;
    ask.addEventListener("click", function () {
      Notification.requestPermission().then(function (answer) {
        ask.hidden = answer !== "default";
      });
    });
  }

  poll();
})();
