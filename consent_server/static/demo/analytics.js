// A stand-in analytics tag: it only runs once analytics consent is given.
(function () {
  var el = document.getElementById("status-analytics");
  if (el) { el.textContent = "Analytics tag ran"; el.dataset.state = "on"; }
  window.demoAnalyticsRan = (window.demoAnalyticsRan || 0) + 1;
})();
