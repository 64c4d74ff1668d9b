"""The ``sandbank`` pytest fixture: one server per test session, reset before each test.

Choose the scenario with ``--sandbank-scenario FILE`` or the ini option ``sandbank_scenario``
(the embedded default otherwise).
"""

import pytest

from . import Server


def pytest_addoption(parser):
    parser.addoption(
        "--sandbank-scenario",
        action="store",
        default=None,
        help="scenario file for the sandbank fixture (default: the embedded scenario)",
    )
    parser.addini("sandbank_scenario", "scenario file for the sandbank fixture", default=None)


@pytest.fixture(scope="session")
def sandbank_server(request):
    """The session's sandbank server (not reset between tests)."""
    scenario = request.config.getoption("--sandbank-scenario") or request.config.getini("sandbank_scenario")
    server = Server(scenario=scenario or None)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbank(sandbank_server):
    """A sandbank server in its scenario's initial state: ``basiq_url``, ``meld_url``,
    ``reset()``, ``advance(seconds)``, ``set_clock(instant)``, ``transition(...)``,
    ``requests()``, ``webhooks()``."""
    sandbank_server.reset()
    return sandbank_server
