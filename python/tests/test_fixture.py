"""The pytest fixture and Server against both vendors, from an installed wheel."""

import base64
import json
import os
import urllib.parse
import urllib.request

import pytest

import sandbank as sandbank_package

BASIQ_KEY = base64.b64encode(b"sandbank:sandbox").decode()
MELD_AUTH = {"Authorization": "BASIC sk_sb_sandbank"}
SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")


def call(url, method="GET", headers=None, data=None):
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def basiq_token(base):
    status, body = call(
        base + "/token",
        "POST",
        {
            "Authorization": "Basic " + BASIQ_KEY,
            "basiq-version": "3.0",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        b"scope=SERVER_ACCESS",
    )
    assert status == 200, body
    return body["access_token"]


def test_basiq_token_and_the_seed_connection(sandbank):
    token = basiq_token(sandbank.basiq_url)
    status, body = call(
        sandbank.basiq_url + "/users/ea3a81/connections/8fce3b",
        headers={"Authorization": "Bearer " + token},
    )
    assert status == 200
    assert body["type"] == "connection"
    assert body["id"] == "8fce3b"
    assert body["institution"]["id"] == "AU00000"


def test_meld_connections_and_the_journal(sandbank):
    status, body = call(sandbank.meld_url + "/bank-linking/connections", headers=MELD_AUTH)
    assert status == 200
    statuses = sorted(c["status"] for c in body["connections"])
    assert statuses == ["ACTIVE", "IN_PROGRESS", "RECONNECT_REQUIRED"]
    journal = sandbank.requests(vendor="meld")
    assert [r["path"] for r in journal] == ["/bank-linking/connections"]


def test_each_test_starts_from_the_scenario(sandbank):
    # The test before this one made a request; the reset emptied the journal.
    assert sandbank.requests() == []
    assert sandbank.clock()["now"].endswith("Z")


def test_a_forced_transition_and_its_webhook_log(sandbank):
    connection = "WQ5CwCxDxXhYuA4fVHGk3o"
    changed = sandbank.transition("meld", connection, "RECONNECT_REQUIRED", "LOGIN_REQUIRED")
    assert changed["after"]["status"] == "RECONNECT_REQUIRED"
    status, body = call(sandbank.meld_url + "/bank-linking/connections/" + connection, headers=MELD_AUTH)
    assert (status, body["status"]) == (200, "RECONNECT_REQUIRED")
    assert sandbank.webhooks() == []


def test_a_clock_advance_changes_a_status():
    scenario = os.path.join(SCENARIOS, "breaks-and-repairs.toml")
    with sandbank_package.Server(scenario=scenario) as sb:
        url = sb.meld_url + "/bank-linking/connections/WQ5CwCxDxXhYuA4fVHGk3o"
        assert call(url, headers=MELD_AUTH)[1]["status"] == "ACTIVE"
        sb.advance(7200)
        status, body = call(url, headers=MELD_AUTH)
        assert (status, body["status"], body["statusReason"]) == (200, "RECONNECT_REQUIRED", "LOGIN_REQUIRED")
        sb.set_clock("2030-01-01T00:00:00Z")
        assert sb.clock()["now"] == "2030-01-01T00:00:00.000Z"


def test_refused_admin_calls_raise():
    with sandbank_package.Server() as sb:
        with pytest.raises(sandbank_package.SandbankError):
            sb.transition("meld", "no-such-connection", "ACTIVE")
