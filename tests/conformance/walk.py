#!/usr/bin/env python3
"""Validates the Basiq operations the shared conformance walk does not reach.

    tests/conformance/walk.py --base http://127.0.0.1:4010 [--shared ../shared]

The shared tool (`basiq-conformance`) walks 29 of the 40 v3 operations for one user. This
script drives the other eleven — events/{id}, consent delete, job MFA, connection refresh,
delete and purge, statements, identities/{id}, webhook update, message/{id}, test message — with
the same checker and the same OpenAPI files (imported from the shared tool), against a server
on the embedded default scenario, and prints the same summary line. Run it with the Python of
the tool's venv (it needs `requests` and `jsonschema`).
"""
import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:4010")
    ap.add_argument("--key", default="c2FuZGJhbms6c2FuZGJveA==")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "tools"))
    import basiq_conformance as bc  # noqa: E402
    import requests  # noqa: E402

    c = bc.Checker(a.base, bc.Spec(os.path.join(a.shared, "specs", "basiq")), False)
    form = {"Authorization": "Basic " + a.key, "basiq-version": "3.0",
            "Content-Type": "application/x-www-form-urlencoded"}
    server = c.call("POST", "/token", expect=200, headers=form, data="scope=SERVER_ACCESS").json()["access_token"]

    def admin_advance(seconds):
        requests.post(a.base + "/__admin/clock/advance", json={"seconds": seconds}, timeout=10)

    # A user of our own, with a Hooli connection (legacy create, not in the v3 files) and one at
    # Pied Piper Bank, which always asks for MFA.
    user = c.call("POST", "/users", expect=201, token=server, json={"email": "walk@example.com", "mobile": "+61410888999"}).json()["id"]
    hooli = c.call("POST", f"/users/{user}/connections", expect=202, token=server,
                   json={"loginId": "gavinBelson", "password": "hooli2016", "institution": {"id": "AU00000"}}).json()["id"]
    piper = c.call("POST", f"/users/{user}/connections", expect=202, token=server,
                   json={"loginId": "jared", "password": "django", "institution": {"id": "AU00002"}}).json()["id"]
    admin_advance(1)
    client = c.call("POST", "/token", expect=200, headers=form, data=f"scope=CLIENT_ACCESS&userId={user}").json()["access_token"]
    c.call("POST", f"/jobs/{piper}/mfa", expect=400, token=client, json={"mfa-response": ["0000"]})
    c.call("POST", f"/jobs/{piper}/mfa", expect=202, token=client, json={"mfa-response": ["1234"]})
    admin_advance(10)
    connection = c.call("GET", f"/jobs/{hooli}", expect=200, token=server).json()["links"]["source"].rsplit("/", 1)[1]

    events = c.call("GET", "/events", expect=200, token=server).json().get("data", [])
    if events:
        c.call("GET", f"/events/{events[0]['id']}", expect=200, token=server)
    identities = c.call("GET", f"/users/{user}/identities", expect=200, token=server).json().get("data", [])
    if identities:
        c.call("GET", f"/users/{user}/identities/{identities[0]['id']}", expect=200, token=server)
    c.call("POST", f"/users/{user}/connections/{connection}/refresh", expect=202, token=server)
    admin_advance(10)
    c.call("POST", f"/users/{user}/connections/{connection}/purge", expect=204, token=server)
    c.call("DELETE", f"/users/{user}/connections/{connection}", expect=204, token=server)
    c.call("DELETE", f"/users/{user}/connections/{connection}", expect=404, token=server)
    csv = "date,description,amount\n2026-01-02,SALARY,2500.00\n"
    c.call("POST", f"/users/{user}/statements", expect=202, token=server,
           files={"statement": ("jan.csv", csv, "text/csv")}, data={"institutionId": "AU01001"})
    c.call("POST", f"/users/{user}/statements", expect=400, token=server,
           files={"statement": ("jan.csv", csv, "text/csv")}, data={"institutionId": "AU00000"})
    consents = c.call("GET", f"/users/{user}/consents", expect=200, token=server).json().get("data", [])
    if consents:
        c.call("DELETE", f"/users/{user}/consents/{consents[0]['id']}", expect=204, token=server)
    c.call("DELETE", f"/users/{user}/consents/00000000-0000-4000-8000-000000000000", expect=404, token=server)

    hook = c.call("POST", "/notifications/webhooks", expect=201, token=server,
                  json={"name": "walk", "url": "https://example.com/walk", "subscribedEvents": ["connection.created"]}).json()["id"]
    c.call("POST", f"/notifications/webhooks/{hook}", expect=200, token=server, json={"name": "walk, renamed"})
    c.call("POST", "/notifications/messages/test", expect=201, token=server, json={"eventTypeId": "connection.created"})
    messages = c.call("GET", f"/notifications/webhooks/{hook}/messages", expect=200, token=server).json().get("data", [])
    if messages:
        c.call("GET", f"/notifications/webhooks/{hook}/messages/{messages[0]['id']}", expect=200, token=server)
    c.call("DELETE", f"/notifications/webhooks/{hook}", expect=204, token=server)
    c.call("DELETE", f"/users/{user}", expect=204, token=server)

    for f in c.failures:
        print("FAIL " + f)
    print(f"walk: {c.exchanges} exchanges, {c.violations} schema violations, "
          f"{c.undocumented} undocumented statuses, {len(c.failures)} failures, "
          f"{len(c.covered)} operations covered: {', '.join(sorted(c.covered))}")
    return 0 if not c.failures else 1


if __name__ == "__main__":
    sys.exit(main())
