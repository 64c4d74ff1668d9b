"""Every shipped scenario is valid against the JSON Schema `sandbank schema` prints."""

import datetime
import glob
import json
import os
import subprocess
import tomllib

import jsonschema

import sandbank

SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")


def as_json(value):
    """TOML values as the JSON an editor's schema check sees (datetimes as RFC 3339 text)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat().replace("+00:00", "Z")
    return value


def test_shipped_scenarios_match_the_schema():
    printed = subprocess.run([sandbank.binary(), "schema"], capture_output=True, check=True, text=True).stdout
    schema = json.loads(printed)
    with open(os.path.join(SCENARIOS, "schema.json")) as committed:
        assert json.load(committed) == schema
    files = sorted(glob.glob(os.path.join(SCENARIOS, "*.toml")))
    assert len(files) >= 5
    for path in files:
        with open(path, "rb") as f:
            document = as_json(tomllib.load(f))
        jsonschema.validate(document, schema)


def test_the_schema_refuses_what_validate_refuses():
    printed = subprocess.run([sandbank.binary(), "schema"], capture_output=True, check=True, text=True).stdout
    schema = json.loads(printed)
    for bad in ({"colour": "blue"}, {"meld": {"apiKeys": "one"}}, {"basiq": {"jobStepDuration": "soon"}}):
        try:
            jsonschema.validate(bad, schema)
        except jsonschema.ValidationError:
            continue
        raise AssertionError("accepted %r" % (bad,))
