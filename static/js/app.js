// Progressive enhancement only: every page works without JavaScript.
document.body.classList.add("govuk-frontend-supported");
if (window.GOVUKFrontend) {
  window.GOVUKFrontend.initAll();
}
