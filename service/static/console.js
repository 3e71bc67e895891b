// Keyboard shortcuts for review work. Queue: j/k move, Enter opens.
// Case page: c confirm, d dismiss (focus the reason), n next case in the queue.
(function () {
  function typing(e) {
    var t = e.target, tag = t.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || t.isContentEditable) return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit)$/.test(t.type);
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tbody tr"));
  var at = -1;
  function mark(i) {
    if (!rows.length) return;
    if (at >= 0) rows[at].classList.remove("cursor");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("cursor");
    rows[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
    var link;
    if (rows.length && (e.key === "j" || e.key === "ArrowDown")) { mark(at + 1); e.preventDefault(); }
    else if (rows.length && (e.key === "k" || e.key === "ArrowUp")) { mark(at - 1); e.preventDefault(); }
    else if (rows.length && e.key === "Enter" && at >= 0) { link = rows[at].querySelector("a"); if (link) location.href = link.href; }
    else if (e.key === "c") { var f = document.getElementById("confirm-form"); if (f) { f.requestSubmit(); } }
    else if (e.key === "d") { var r = document.getElementById("dismiss-reason"); if (r) { r.focus(); e.preventDefault(); } }
    else if (e.key === "n") { location.href = "/cases/next"; }
  });
})();
// Case page: a tap on an evidence thumbnail opens it full size in the page (the link still opens
// the image alone without script); a tap on the image, or 放大, shows it at its own size to pan.
(function () {
  var viewer = document.getElementById("evidence-viewer");
  if (!viewer || typeof viewer.showModal !== "function") return;
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-evidence]"));
  var q = function (name) { return viewer.querySelector("[data-viewer-" + name + "]"); };
  var frame = q("frame"), img = q("img"), zoom = q("zoom"), at = 0;
  function zoomed(on) {  // twice the size it is shown at, to pan over (pinch-zoom works as well)
    var shown = img.getBoundingClientRect().width;
    frame.classList.toggle("zoomed", on);
    img.style.width = on && shown ? Math.round(shown * 2) + "px" : "";
    zoom.textContent = on ? "缩小" : "放大"; zoom.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function open(i) {
    at = (i + links.length) % links.length;
    var a = links[at];
    img.src = a.href; img.alt = a.dataset.title;
    q("title").textContent = a.dataset.title + "（" + (at + 1) + "/" + links.length + "）";
    q("original").href = a.dataset.original;
    q("meta").textContent = a.dataset.meta || "";
    q("hash").textContent = a.dataset.sha256 || "";
    q("prev").hidden = q("next").hidden = links.length < 2;
    zoomed(false);
    if (!viewer.open) viewer.showModal();
  }
  links.forEach(function (a, i) {
    a.addEventListener("click", function (e) {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;  // a new tab when asked for
      e.preventDefault(); open(i);
    });
  });
  img.addEventListener("click", function () { zoomed(!frame.classList.contains("zoomed")); });
  zoom.addEventListener("click", function () { zoomed(!frame.classList.contains("zoomed")); });
  q("prev").addEventListener("click", function () { open(at - 1); });
  q("next").addEventListener("click", function () { open(at + 1); });
  q("close").addEventListener("click", function () { viewer.close(); });
  viewer.addEventListener("click", function (e) { if (e.target === viewer) viewer.close(); });  // the backdrop
  viewer.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") open(at - 1); else if (e.key === "ArrowRight") open(at + 1);
  });
})();
