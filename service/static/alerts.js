// Live 布控 alerts on every console page: poll every few seconds, no reload needed.
(function () {
  var box = document.getElementById("live-alerts"), badge = document.getElementById("alert-count");
  var seen = {}, first = true, after = 0;
  // A toast closed stays closed on the next pages of this sign-in (the alert stays on /alerts);
  // on /alerts itself the list shows them all, so no toast covers it.
  var closed = {}, onList = location.pathname === "/alerts";
  try { closed = JSON.parse(sessionStorage.getItem("closed-alerts") || "{}"); } catch (e) { closed = {}; }
  function forget(id) { closed[id] = 1; try { sessionStorage.setItem("closed-alerts", JSON.stringify(closed)); } catch (e) {} }
  function show(a) {
    var div = document.createElement("div");
    div.className = "live-alert";
    div.setAttribute("role", "alert");
    div.textContent = "布控告警：" + a.plate + " 于 " + a.captured_at + " 经过 " + a.site_name + "（" + a.reason + "）";
    var link = document.createElement("a"); link.href = "/alerts"; link.textContent = " 查看";
    div.appendChild(link);
    var close = document.createElement("button");  // a toast can be closed; the alert stays on /alerts
    close.type = "button"; close.className = "close"; close.textContent = "×";
    close.setAttribute("aria-label", "关闭此提示");
    close.addEventListener("click", function () { div.remove(); forget(a.id); });
    div.prepend(close);
    box.prepend(div);
  }
  function poll() {
    fetch("/alerts/live?after=0", {credentials: "same-origin"}).then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) {
        badge.hidden = rows.length === 0; badge.textContent = rows.length;
        rows.slice().reverse().forEach(function (a) {
          if (!seen[a.id]) { seen[a.id] = true; if ((!first || a.id > after) && !closed[a.id] && !onList) show(a); }
        });
        first = false;
      }).catch(function () {});
  }
  poll();
  setInterval(poll, 4000);
})();
