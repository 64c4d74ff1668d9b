// The packed helper against both vendors, from an installed tarball.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const path = require("path");
const { start } = require("sandbank");

let sb;
before(async () => {
  sb = await start();
});
after(async () => {
  await sb.stop();
});

const basiqKey = Buffer.from("sandbank:sandbox").toString("base64");
const meldAuth = { authorization: "BASIC sk_sb_sandbank" };

test("a Basiq token reads the seed connection", async () => {
  const token = await fetch(`${sb.basiqUrl}/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${basiqKey}`,
      "basiq-version": "3.0",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "scope=SERVER_ACCESS",
  }).then((r) => r.json());
  const response = await fetch(`${sb.basiqUrl}/users/ea3a81/connections/8fce3b`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  assert.strictEqual(response.status, 200);
  const connection = await response.json();
  assert.strictEqual(connection.type, "connection");
  assert.strictEqual(connection.id, "8fce3b");
});

test("Meld lists the default customer's connections", async () => {
  const response = await fetch(`${sb.meldUrl}/bank-linking/connections`, { headers: meldAuth });
  assert.strictEqual(response.status, 200);
  const body = await response.json();
  const statuses = body.connections.map((c) => c.status).sort();
  assert.deepStrictEqual(statuses, ["ACTIVE", "IN_PROGRESS", "RECONNECT_REQUIRED"]);
});

test("a clock advance changes a status, and reset puts it back", async () => {
  const scenario = path.join(process.env.SANDBANK_SCENARIOS, "breaks-and-repairs.toml");
  const other = await start({ scenario });
  try {
    const url = `${other.meldUrl}/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o`;
    const status = async () => (await fetch(url, { headers: meldAuth }).then((r) => r.json())).status;
    assert.strictEqual(await status(), "ACTIVE");
    await other.advance(7200);
    assert.strictEqual(await status(), "RECONNECT_REQUIRED");
    await other.reset();
    assert.strictEqual(await status(), "ACTIVE");
  } finally {
    await other.stop();
  }
});
