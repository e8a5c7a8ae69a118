/* Admin pages: follow an index update (poll /admin/progress once a second) and confirm
   removals. A separate file because the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  function follow(box) {
    var url = box.getAttribute("data-url");
    var lines = box.querySelector("[data-progress-lines]");
    var status = box.querySelector("[data-progress-status]");
    var button = box.querySelector("[data-update-button]");
    var done = box.querySelector("[data-progress-done]");
    var timer = null;

    function show(job) {
      box.setAttribute("data-state", job.state);
      lines.textContent = job.lines.join("\n");
      lines.hidden = job.lines.length === 0;
      lines.scrollTop = lines.scrollHeight;
      var running = job.state === "running";
      if (button) button.disabled = running;
      status.textContent = running ? "正在更新……" : (job.summary || "目前没有进行中的更新。");
      if (done) done.hidden = !(job.state === "done" || job.state === "failed");
      return running;
    }

    function stop() {
      if (timer !== null) { clearInterval(timer); timer = null; }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (job) {
          if (timer !== null && job.state !== "running") {
            // Just finished while we watched: reload for the new counts and report.
            stop();
            window.location.reload();
            return;
          }
          if (!show(job)) { stop(); }
          else if (timer === null) { timer = setInterval(poll, 1000); }
        })
        .catch(function () {
          stop();
          status.textContent = "无法获取更新进度，请刷新页面。";
        });
    }

    // Once on load (the page may come from the back/forward cache, or a run may have started
    // in another tab), then every second while an update runs.
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress]").forEach(follow);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
