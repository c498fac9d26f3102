// The screen page reloads itself until its job has finished (no framework, nothing fetched
// from a CDN).
(function () {
  var el = document.getElementById("state");
  if (!el) return;
  var state = el.dataset.state;
  if (state === "queued" || state === "running") {
    setTimeout(function () { location.reload(); }, 1000);
  }
})();
