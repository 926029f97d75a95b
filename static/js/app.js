// Behaviour shared by every page. No inline scripts anywhere: the content security policy forbids them.
(function () {
  "use strict";

  // GOV.UK error summary: move focus to it so screen readers announce the problem at once.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // Links in the summary move focus to the field itself, not just scroll to it.
  function wireSummaryLinks() {
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.focus();
          target.scrollIntoView({ block: "center" });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    wireSummaryLinks();
  });
})();
