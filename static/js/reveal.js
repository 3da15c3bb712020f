// GOV.UK conditional reveal for radios: only the chosen answer's follow-up questions show. govuk-frontend's
// Radios script is not used because it sets aria-expanded on radio inputs, which axe-core rejects. A follow-up
// holding an error stays on screen, so text the server refused (typed under another answer) can be seen and
// moved. Without JavaScript every follow-up shows under its own answer.
(function () {
  "use strict";
  var conditionals = Array.prototype.slice.call(document.querySelectorAll("[data-app-reveal-for]"));
  if (!conditionals.length) {
    return;
  }
  function sync() {
    conditionals.forEach(function (conditional) {
      var input = document.getElementById(conditional.getAttribute("data-app-reveal-for"));
      var keep = (input && input.checked) || conditional.querySelector(".govuk-error-message") !== null;
      conditional.classList.toggle("govuk-radios__conditional--hidden", !keep);
    });
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.type === "radio") {
      sync();
    }
  });
  // The browser may restore choices when the page is shown again from its history.
  window.addEventListener("pageshow", sync);
  sync();
})();
