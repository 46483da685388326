// The UI's few scripts: the run page's live event log (server-sent events) and buttons, the
// launchpad, and the schedules' start/stop buttons. No build step: plain browser JavaScript.
"use strict";

function orchPost(url, body) {
  return fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body || {}),
  }).then(function (r) { return r.json().then(function (data) { return {ok: r.ok, status: r.status, data: data}; }); });
}

function orchWhen(ts) {
  var d = new Date(ts * 1000), p = function (n) { return String(n).padStart(2, "0"); };
  return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
    p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
}

function orchRunPage() {
  var run = document.getElementById("run");
  var log = document.getElementById("event-log");
  var live = document.getElementById("live");
  var result = document.getElementById("action-result");
  var runId = run.dataset.runId;
  ["cancel", "reexecute"].forEach(function (id) {
    var button = document.getElementById(id);
    button.addEventListener("click", function () {
      button.disabled = true;
      orchPost(button.dataset.action).then(function (answer) {
        if (answer.data.run_id && id === "reexecute") { window.location = "/runs/" + answer.data.run_id; return; }
        result.textContent = answer.ok ? (answer.data.canceled ? "Canceled." : "It had already finished.")
                                       : (answer.data.error || "failed");
        if (answer.ok) { setTimeout(function () { window.location.reload(); }, 500); }
      });
    });
  });
  if (run.dataset.finished === "true" || !window.EventSource) { return; }
  // Follow only what is newer than what the page shows; the page reloads at the end to show the final state.
  var source = new EventSource("/api/runs/" + encodeURIComponent(runId) + "/events?after=" +
                               encodeURIComponent(run.dataset.lastEventId));
  live.textContent = "(live)";
  source.addEventListener("run_event", function (message) {
    var e = JSON.parse(message.data);
    log.textContent += orchWhen(e.timestamp) + " " + e.event_type.padEnd(14) + " " + (e.step_key || "-") + " " +
      e.message + "\n";
    log.scrollTop = log.scrollHeight;
    var row = e.step_key && document.querySelector('tr[data-step="' + CSS.escape(e.step_key) + '"] .status');
    if (row && e.event_type === "STEP_START") { row.textContent = "running"; row.className = "status running"; }
    if (row && e.event_type === "STEP_SUCCESS") { row.textContent = "success"; row.className = "status success"; }
    if (row && e.event_type === "STEP_FAILURE") { row.textContent = "failure"; row.className = "status failure"; }
  });
  source.addEventListener("end", function (message) {
    source.close();
    var end = JSON.parse(message.data);
    live.textContent = "(ended: " + end.status + ")";
    document.getElementById("run-status").textContent = end.status;
    setTimeout(function () { window.location.reload(); }, 800);
  });
}

function orchLaunchpad() {
  var form = document.getElementById("launchpad");
  var errors = document.getElementById("config-errors");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.textContent = "";
    var body = {run_config_yaml: form.elements.run_config_yaml.value, tags: {}};
    form.elements.tags.value.split("\n").forEach(function (line) {
      var at = line.indexOf("=");
      if (at > 0) { body.tags[line.slice(0, at).trim()] = line.slice(at + 1).trim(); }
    });
    if (form.elements.partition_key) { body.partition_key = form.elements.partition_key.value; }
    orchPost(form.dataset.action, body).then(function (answer) {
      if (answer.ok) { window.location = "/runs/" + answer.data.run_id; return; }
      var title = document.createElement("p");
      title.textContent = answer.data.error || ("HTTP " + answer.status);
      errors.appendChild(title);
      var list = document.createElement("ul");
      (answer.data.errors || []).forEach(function (e) {
        var item = document.createElement("li");
        item.className = "config-error";
        item.dataset.path = e.path;
        var path = document.createElement("code");
        path.textContent = e.path;
        item.appendChild(path);
        item.appendChild(document.createTextNode(": " + e.message));
        list.appendChild(item);
      });
      errors.appendChild(list);
    });
  });
}

function orchToggles() {
  document.querySelectorAll("button.toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      orchPost(button.dataset.action).then(function () { window.location.reload(); });
    });
  });
}
