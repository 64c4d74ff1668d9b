// Copies the sandbank binary built on this machine into native/, so the packed tarball carries
// the binary for the platform it was packed on. SANDBANK_BINARY names it; otherwise the release
// build, then the debug build, of the repository this folder sits in.
"use strict";
const fs = require("fs");
const path = require("path");

const exe = process.platform === "win32" ? "sandbank.exe" : "sandbank";
const root = path.join(__dirname, "..", "..");
const candidates = [
  process.env.SANDBANK_BINARY,
  path.join(root, "target", "release", exe),
  path.join(root, "target", "debug", exe),
].filter(Boolean);
const found = candidates.find((p) => fs.existsSync(p));
if (!found) {
  console.error(`no sandbank binary: build it (cargo build --release) or set SANDBANK_BINARY`);
  process.exit(1);
}
const target = path.join(__dirname, "..", "native", exe);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(found, target);
fs.chmodSync(target, 0o755);
console.error(`packed ${found} as native/${exe} (${process.platform}-${process.arch})`);
