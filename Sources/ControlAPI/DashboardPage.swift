/// The built-in dashboard served at `GET /`: one self-contained page (no CDN, works offline) that uses the
/// public API only: `/stats` and `/pools` polled, `/events` for news, and the token (asked for, kept in this
/// tab's memory only) for start, stop and switching pools. The live hashrate is the element with
/// `data-metric="hashrate"`.
enum DashboardPage {
    /// The headers it is served with: no script or connection leaves the miner.
    static let headers: [(String, String)] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy",
         "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// The page.
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>nightminer</title>
    <style>
      :root { --bg: #0f1419; --panel: #182029; --line: #2a3542; --text: #d8dee6; --dim: #8694a3; --accent: #5fb3f9;
              --good: #5fd38d; --bad: #f26d6d; --warn: #f2c46d; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
      header { display: flex; align-items: center; gap: 12px; padding: 14px 20px; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
      header h1 { font-size: 18px; margin: 0; letter-spacing: .5px; }
      .badge { padding: 2px 10px; border-radius: 10px; font-size: 12px; font-weight: 600; text-transform: uppercase; background: var(--line); }
      .badge.mining { background: #1f4d33; color: var(--good); } .badge.connecting { background: #4d421f; color: var(--warn); }
      .badge.stopped { background: #4d1f1f; color: var(--bad); }
      .dim { color: var(--dim); }
      main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); }
      section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
      section h2 { font-size: 12px; text-transform: uppercase; letter-spacing: 1px; color: var(--dim); margin: 0 0 10px; }
      .wide { grid-column: 1 / -1; }
      .big { font-size: 34px; font-weight: 600; color: var(--accent); }
      .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 10px; }
      .stat b { display: block; font-size: 20px; } .stat span { color: var(--dim); font-size: 12px; }
      canvas { width: 100%; height: 160px; display: block; }
      table { width: 100%; border-collapse: collapse; font-size: 13px; }
      th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); }
      th { color: var(--dim); font-weight: 500; }
      button { background: var(--line); color: var(--text); border: 1px solid #3a4756; border-radius: 5px; padding: 5px 12px; cursor: pointer; }
      button:hover { border-color: var(--accent); }
      input { background: var(--bg); color: var(--text); border: 1px solid var(--line); border-radius: 5px; padding: 5px 8px; width: 240px; }
      #log { font: 12px/1.5 ui-monospace, Menlo, Consolas, monospace; max-height: 260px; overflow: auto; margin: 0; white-space: pre-wrap; }
      .accepted { color: var(--good); } .rejected, .lost, .invalid { color: var(--bad); } .stale { color: var(--warn); }
      #message { min-height: 1.4em; }
    </style>
    </head>
    <body>
    <header>
      <h1>nightminer</h1>
      <span id="state" class="badge">…</span>
      <span id="algorithm" class="dim"></span>
      <span id="pool" class="dim"></span>
    </header>
    <main>
      <section>
        <h2>Hashrate (10 s)</h2>
        <div class="big" data-metric="hashrate" id="hashrate">–</div>
        <div class="dim">60 s <span id="rate60">–</span> · 15 min <span id="rate15">–</span></div>
      </section>
      <section>
        <h2>Shares</h2>
        <div class="stats">
          <div class="stat"><b id="accepted" class="accepted">0</b><span>accepted</span></div>
          <div class="stat"><b id="rejected" class="rejected">0</b><span>rejected</span></div>
          <div class="stat"><b id="stale" class="stale">0</b><span>stale</span></div>
          <div class="stat"><b id="lost" class="lost">0</b><span>lost</span></div>
        </div>
      </section>
      <section>
        <h2>Job</h2>
        <div class="stats">
          <div class="stat"><b id="difficulty">–</b><span>difficulty</span></div>
          <div class="stat"><b id="job">–</b><span>job</span></div>
          <div class="stat"><b id="jobAge">–</b><span>age</span></div>
          <div class="stat"><b id="uptime">–</b><span>uptime</span></div>
        </div>
      </section>
      <section class="wide">
        <h2>Hashrate, last 10 minutes</h2>
        <canvas id="chart" width="1200" height="160"></canvas>
      </section>
      <section>
        <h2>Threads</h2>
        <table><tbody id="threads"></tbody></table>
      </section>
      <section>
        <h2>Control</h2>
        <p><input id="token" type="password" autocomplete="off" placeholder="API token (kept in this tab only)"></p>
        <p><button id="start">Start</button> <button id="stop">Stop</button></p>
        <p id="message" class="dim"></p>
      </section>
      <section class="wide">
        <h2>Pools</h2>
        <table>
          <thead><tr><th>#</th><th>URL</th><th>worker</th><th>state</th><th>accepted</th><th>rejected</th><th>stale</th><th>lost</th><th></th></tr></thead>
          <tbody id="pools"></tbody>
        </table>
      </section>
      <section class="wide">
        <h2>Events</h2>
        <pre id="log"></pre>
      </section>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    const samples = [];
    let token = "";

    function rate(value) {
      const units = ["H/s", "kH/s", "MH/s", "GH/s", "TH/s"];
      let unit = 0;
      while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
      return value.toFixed(2) + " " + units[unit];
    }
    function duration(seconds) {
      seconds = Math.floor(seconds);
      const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
      return h > 0 ? h + "h " + m + "m" : m > 0 ? m + "m " + s + "s" : s + "s";
    }
    function text(id, value) { $(id).textContent = value; }

    function show(stats) {
      const state = $("state");
      state.textContent = stats.state;
      state.className = "badge " + stats.state;
      text("algorithm", stats.algorithm + (stats.kernel ? " · " + stats.kernel : "") + " · " + stats.threads + " threads");
      text("pool", stats.pool.url ? stats.pool.url + " as " + stats.pool.user : "");
      text("hashrate", rate(stats.hashrate["10s"]));
      text("rate60", rate(stats.hashrate["60s"]));
      text("rate15", rate(stats.hashrate["15m"]));
      text("accepted", stats.shares.accepted);
      text("rejected", stats.shares.rejected_total);
      text("stale", stats.shares.stale);
      text("lost", stats.shares.lost);
      text("difficulty", stats.job ? Number(stats.job.difficulty.toPrecision(6)) : "–");
      text("job", stats.job ? stats.job.id : "–");
      text("jobAge", stats.job ? duration(stats.job.age_seconds) : "–");
      text("uptime", stats.state === "stopped" ? "–" : duration(stats.uptime_seconds));
      const rows = stats.hashrate.per_thread.map((value, index) => "<tr><td>thread " + index + "</td><td>" + rate(value) + "</td></tr>");
      $("threads").innerHTML = rows.join("") || "<tr><td class=dim>not hashing</td></tr>";
      showPools(stats.pools);
      samples.push({ at: Date.now(), value: stats.hashrate["10s"] });
      while (samples.length && samples[0].at < Date.now() - 600000) samples.shift();
      draw();
    }

    function escape(value) {
      return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    }
    function showPools(pools) {
      $("pools").innerHTML = pools.map((pool) =>
        "<tr><td>" + pool.id + "</td><td>" + escape(pool.url) + "</td><td>" + escape(pool.user) + "</td><td>" + escape(pool.state) +
        (pool.last_error ? " <span class=dim title=\"" + escape(pool.last_error) + "\">(!)</span>" : "") + "</td><td>" + pool.accepted +
        "</td><td>" + pool.rejected + "</td><td>" + pool.stale + "</td><td>" + pool.lost + "</td><td>" +
        (pool.active ? "in use" : "<button data-pool=\"" + pool.id + "\">Use</button>") + "</td></tr>").join("");
    }

    function draw() {
      const canvas = $("chart"), context = canvas.getContext("2d");
      const width = canvas.width, height = canvas.height;
      context.clearRect(0, 0, width, height);
      if (samples.length < 2) return;
      const top = Math.max(...samples.map((s) => s.value)) * 1.15 || 1;
      const start = Date.now() - 600000;
      context.strokeStyle = "#2a3542";
      for (let line = 1; line < 4; line++) {
        context.beginPath(); context.moveTo(0, height * line / 4); context.lineTo(width, height * line / 4); context.stroke();
      }
      context.strokeStyle = "#5fb3f9"; context.lineWidth = 2; context.beginPath();
      samples.forEach((sample, index) => {
        const x = (sample.at - start) / 600000 * width, y = height - sample.value / top * height;
        if (index === 0) context.moveTo(x, y); else context.lineTo(x, y);
      });
      context.stroke();
      context.fillStyle = "#8694a3"; context.font = "12px system-ui";
      context.fillText(rate(top / 1.15), 6, 14);
    }

    async function refresh() {
      try {
        const response = await fetch("/stats", { cache: "no-store" });
        if (response.ok) show(await response.json());
      } catch (error) { $("state").textContent = "unreachable"; $("state").className = "badge stopped"; }
    }

    async function command(method, path) {
      token = $("token").value.trim();
      if (!token) { text("message", "enter the API token first"); return; }
      const response = await fetch(path, { method, headers: { "Authorization": "Bearer " + token } });
      const body = await response.json().catch(() => ({}));
      text("message", response.ok ? method + " " + path + ": done" : (body.detail || response.status + " " + response.statusText));
      refresh();
    }
    $("start").onclick = () => command("POST", "/mining/start");
    $("stop").onclick = () => command("POST", "/mining/stop");
    $("pools").onclick = (event) => {
      const id = event.target.getAttribute("data-pool");
      if (id) command("POST", "/pools/" + id + "/activate");
    };

    function log(kind, data) {
      const time = (data.time || "").replace(/^.*T|Z$/g, "");
      let line = time + "  " + kind;
      if (kind === "share") line += " " + data.result + (data.reason ? " (" + data.reason + ")" : "") +
        (data.round_trip_ms != null ? " " + data.round_trip_ms.toFixed(1) + " ms" : "");
      else if (kind === "job") line += " " + data.id + " difficulty " + data.difficulty + (data.clean ? " clean" : "");
      else if (kind === "pool") line += " " + data.state + " " + (data.pool || "") + (data.reason ? ": " + data.reason : "");
      else if (kind === "mining") line += " " + data.state;
      else if (kind === "difficulty") line += " " + data.difficulty;
      else if (kind === "config") line += " " + data.change;
      const entry = document.createElement("div");
      entry.textContent = line;
      if (kind === "share") entry.className = data.result;
      const panel = $("log");
      panel.prepend(entry);
      while (panel.childNodes.length > 200) panel.removeChild(panel.lastChild);
    }
    const events = new EventSource("/events");
    for (const kind of ["mining", "pool", "job", "difficulty", "share", "config"]) {
      events.addEventListener(kind, (event) => { log(kind, JSON.parse(event.data)); if (kind !== "share") refresh(); });
    }

    refresh();
    setInterval(refresh, 2000);
    </script>
    </body>
    </html>
    """#
}
