// Audit trail check progress: while a check is waiting or running, reload the page every 2 seconds.
(function () {
  "use strict";
  if (document.querySelector("[data-chain-check-active]")) {
    window.setTimeout(function () {
      window.location.reload();
    }, 2000);
  }
})();
