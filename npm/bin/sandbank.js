#!/usr/bin/env node
// The `sandbank` command: runs the binary this package carries with the same arguments.
"use strict";
const { spawnSync } = require("child_process");
const { binary } = require("..");

const result = spawnSync(binary(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`sandbank: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status === null ? 1 : result.status);
