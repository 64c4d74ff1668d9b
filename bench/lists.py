#!/usr/bin/env python3
"""Times filtered, paged Basiq transaction lists against a running sandbank.

    bench/lists.py <basiq base url> <requests>

Mints a SERVER_ACCESS token, lists the users through GET /__admin/basiq/users, then sends
<requests> list requests for users drawn at random (seed 1), one after another on one keep-alive
connection: each is a filtered first page, and every other one is followed by its `links.next`
page. Prints one latency in milliseconds per line (request sent to body read).
"""
import http.client
import json
import random
import sys
import time
import urllib.parse

FILTERS = [
    "transaction.postDate.bt('2024-07-01','2025-06-30')",
    "transaction.direction.eq('debit'),transaction.status.eq('posted')",
    "transaction.class.eq('payment')",
    "transaction.postDate.gteq('2025-01-01')",
]


def main():
    base, count = sys.argv[1], int(sys.argv[2])
    host = urllib.parse.urlsplit(base).netloc
    conn = http.client.HTTPConnection(host)

    def call(method, path, body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            sys.exit(f"{method} {path} -> {r.status}: {data[:200]!r}")
        return json.loads(data)

    token = call("POST", "/token", "scope=SERVER_ACCESS", {
        "Authorization": "Basic c2FuZGJhbms6c2FuZGJveA==", "basiq-version": "3.0",
        "Content-Type": "application/x-www-form-urlencoded"})["access_token"]
    users = [u["id"] for u in call("GET", "/__admin/basiq/users")["users"] if u["transactions"]]
    auth = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    rng = random.Random(1)
    done = 0
    while done < count:
        user = rng.choice(users)
        flt = urllib.parse.quote(rng.choice(FILTERS), safe="")
        path = f"/users/{user}/transactions?filter={flt}&limit=20"
        follow = done % 2 == 1
        while path and done < count:
            t0 = time.perf_counter()
            page = call("GET", path, headers=auth)
            print(f"{(time.perf_counter() - t0) * 1000:.3f}")
            done += 1
            nxt = page.get("links", {}).get("next") if follow else None
            path = urllib.parse.urlsplit(nxt)._replace(scheme="", netloc="").geturl() if nxt else None
            follow = False


if __name__ == "__main__":
    main()
