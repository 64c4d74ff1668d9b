// Runs sandbank (a local Basiq and Meld sandbox) from Node tests: start() launches the binary
// this package carries on free loopback ports, waits for /__admin/health, and returns a handle
// on its admin API. Only Node's own modules are used.
"use strict";
const { spawn } = require("child_process");
const path = require("path");
const readline = require("readline");

/** Path of the sandbank binary: $SANDBANK_BIN, else the one this package carries. */
function binary() {
  if (process.env.SANDBANK_BIN) return process.env.SANDBANK_BIN;
  const exe = process.platform === "win32" ? "sandbank.exe" : "sandbank";
  return path.join(__dirname, "native", exe);
}

async function call(base, method, route, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const response = await fetch(base + route, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Starts a server. Options: `scenario` (a file or a list of files; the embedded default when
 * absent), `args` (extra `sandbank serve` flags), `timeoutMs` (default 30000).
 */
async function start(options = {}) {
  const scenarios = [].concat(options.scenario || []);
  const args = ["serve", "--basiq-addr", "127.0.0.1:0", "--meld-addr", "127.0.0.1:0", "--log-level", "warn"];
  for (const file of scenarios) args.push("--scenario", file);
  args.push(...(options.args || []));
  const child = spawn(binary(), args, { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const lines = readline.createInterface({ input: child.stdout });
  const urls = {};
  const listening = new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      const [vendor, , , url] = line.split(" ");
      urls[vendor] = url;
      if (urls.basiq && urls.meld) resolve();
    });
    exited.then((code) => reject(new Error(`sandbank serve exited with ${code} before listening`)));
  });
  await listening;
  const base = urls.basiq;
  const deadline = Date.now() + (options.timeoutMs || 30000);
  for (;;) {
    try {
      const health = await call(base, "GET", "/__admin/health");
      if (health && health.status === "ok") break;
    } catch (_) {
      // not answering yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error("sandbank did not answer /__admin/health in time");
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    basiqUrl: urls.basiq,
    meldUrl: urls.meld,
    /** Back to the scenario's initial state and clock. */
    reset: () => call(base, "POST", "/__admin/reset"),
    /** Makes `seconds` of server time pass at once. */
    advance: (seconds) => call(base, "POST", "/__admin/clock/advance", { seconds }),
    /** Sets the server clock to an RFC 3339 instant. */
    setClock: (now) => call(base, "POST", "/__admin/clock/set", { now }),
    /** Changes a connection's status now, with the vendor's events and webhooks. */
    transition: (vendor, connection, status, statusReason) =>
      call(base, "POST", "/__admin/transitions", { vendor, connection, status, statusReason: statusReason ?? null }),
    /** The journal of vendor requests, oldest first. */
    requests: async () => (await call(base, "GET", "/__admin/requests")).requests,
    /** Every webhook delivery attempt, oldest first. */
    webhooks: async () => (await call(base, "GET", "/__admin/webhooks")).attempts,
    /** Stops the server and waits for it to exit. */
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

module.exports = { start, binary };
