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

  function sizeText(bytes) {
    var units = [["MB", 1024 * 1024], ["KB", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1]) {
        return (bytes / units[i][1]).toFixed(1).replace(/\.0$/, "") + " " + units[i][0];
      }
    }
    return bytes + " 字节";
  }

  // The server's limits, checked before sending, so nobody waits for a large upload to be
  // refused; each message names the limit that is exceeded, as the server's would.
  function uploadProblem(form, files) {
    var maxFiles = Number(form.getAttribute("data-max-files")) || 0;
    var maxBytes = Number(form.getAttribute("data-max-bytes")) || 0;
    var maxFile = Number(form.getAttribute("data-max-file-bytes")) || 0;
    if (maxFiles && files.length > maxFiles) {
      return "一次最多上传 " + maxFiles + " 个文件，这次选了 " + files.length + " 个。请分几次上传。";
    }
    var total = 0;
    for (var i = 0; i < files.length; i++) {
      if (maxFile && files[i].size > maxFile) {
        return "文件“" + files[i].name + "”有 " + sizeText(files[i].size) +
          "，超过了单个文件最大 " + sizeText(maxFile) + " 的限制。";
      }
      total += files[i].size;
    }
    if (maxBytes && total > maxBytes) {
      return "选中的文件共 " + sizeText(total) + "，超过了一次最多 " + sizeText(maxBytes) +
        " 的限制，请分几次上传。";
    }
    return "";
  }

  function checkUploads(form) {
    var input = form.querySelector("input[type=file]");
    var box = form.querySelector("[data-upload-problem]");
    function check() {
      var problem = uploadProblem(form, input.files || []);
      box.textContent = problem;
      box.hidden = !problem;
      return !problem;
    }
    input.addEventListener("change", check);
    form.addEventListener("submit", function (event) {
      if (!check()) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress]").forEach(follow);
    document.querySelectorAll("form[data-upload-form]").forEach(checkUploads);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
