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
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    var link;
    if (rows.length && (e.key === "j" || e.key === "ArrowDown")) { mark(at + 1); e.preventDefault(); }
    else if (rows.length && (e.key === "k" || e.key === "ArrowUp")) { mark(at - 1); e.preventDefault(); }
    else if (rows.length && e.key === "Enter" && at >= 0) { link = rows[at].querySelector("a"); if (link) location.href = link.href; }
    else if (e.key === "c") { var f = document.getElementById("confirm-form"); if (f) { f.requestSubmit(); } }
    else if (e.key === "d") { var r = document.getElementById("dismiss-reason"); if (r) { r.focus(); e.preventDefault(); } }
    else if (e.key === "n") { location.href = "/cases/next"; }
  });
})();
