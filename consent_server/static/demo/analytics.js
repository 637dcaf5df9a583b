// A stand-in analytics tag: it only runs once analytics consent is given. It may run
// while <head> is parsed (returning visitor), so it waits for the DOM to show itself.
(function () {
  window.demoAnalyticsRan = (window.demoAnalyticsRan || 0) + 1;
  (function show() {
    var el = document.getElementById("status-analytics");
    if (!el) return document.addEventListener("DOMContentLoaded", show);
    el.textContent = "Analytics tag ran";
    el.dataset.state = "on";
  })();
})();
