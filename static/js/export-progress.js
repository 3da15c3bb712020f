// Bulk export progress, faster than the no-JavaScript refresh: ask every second, reload when finished.
(function () {
  "use strict";
  var panel = document.querySelector("[data-export-progress-url]");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-export-progress-url");
  var text = document.getElementById("export-progress-text");
  var bar = document.getElementById("export-progress-bar");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        if (!progress.active) {
          window.location.reload();
          return;
        }
        var strong = document.createElement("strong");
        strong.textContent = progress.text;
        text.replaceChildren(strong, document.createTextNode(" decisions exported" + (progress.status === "queued" ? ". Waiting to start" : "")));
        bar.max = progress.total;
        bar.value = progress.done;
        bar.textContent = progress.percent + "%";
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // Try again more slowly; a reload shows the state if the page is left open.
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
