"""Run sandbank (a local Basiq and Meld sandbox) from Python.

``Server`` starts the ``sandbank`` binary this package installs on free ports and drives its
admin API; the pytest plugin (``sandbank.pytest_plugin``) provides it as the ``sandbank``
fixture. Only the standard library is used.

    with sandbank.Server() as sb:
        requests.get(sb.basiq_url + "/users/ea3a81", headers=...)
        sb.advance(3600)
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request

__all__ = ["Server", "SandbankError", "binary"]


class SandbankError(RuntimeError):
    """The server could not be started, or an admin call was refused."""


def binary():
    """Path of the ``sandbank`` binary: ``$SANDBANK_BIN``, the one installed with this
    package, or the first on ``PATH``."""
    explicit = os.environ.get("SANDBANK_BIN")
    if explicit:
        return explicit
    name = "sandbank.exe" if sys.platform == "win32" else "sandbank"
    for scheme in (None, "posix_user", "nt_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate):
            return candidate
    found = shutil.which("sandbank")
    if found:
        return found
    raise SandbankError("the sandbank binary is not installed (pip install sandbank)")


class Server:
    """A sandbank server on free loopback ports, stopped on ``stop()`` or leaving ``with``.

    ``scenario`` is a scenario file (or a list of them; the embedded default when ``None``);
    ``args`` are extra ``sandbank serve`` flags.
    """

    def __init__(self, scenario=None, args=(), timeout=30.0):
        self.scenario = scenario
        self.args = list(args)
        self.timeout = timeout
        self.basiq_url = None
        self.meld_url = None
        self._process = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self):
        command = [
            binary(),
            "serve",
            "--basiq-addr",
            "127.0.0.1:0",
            "--meld-addr",
            "127.0.0.1:0",
            "--log-level",
            "warn",
        ]
        scenarios = [self.scenario] if isinstance(self.scenario, (str, os.PathLike)) else (self.scenario or [])
        for path in scenarios:
            command += ["--scenario", os.fspath(path)]
        command += self.args
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        urls = {}
        for _ in range(2):
            line = self._process.stdout.readline()
            if not line:
                code = self._process.wait()
                raise SandbankError("sandbank serve exited with %s before listening" % code)
            vendor, _, _, url = line.split()
            urls[vendor] = url
        self.basiq_url, self.meld_url = urls["basiq"], urls["meld"]
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if self._call("GET", "/__admin/health") == {"status": "ok"}:
                    return self
            except (OSError, SandbankError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise SandbankError("sandbank did not answer /__admin/health in time")
            time.sleep(0.02)

    def stop(self):
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stdout:
            self._process.stdout.close()
        self._process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- admin API -------------------------------------------------------------------------

    def _call(self, method, path, body=None, headers=None):
        data = None
        sent = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.basiq_url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as e:
            raise SandbankError("%s %s: %s %s" % (method, path, e.code, e.read().decode(errors="replace")))
        return json.loads(text) if text else None

    def reset(self):
        """Back to the scenario's initial state and clock; journal, faults and tenants emptied."""
        return self._call("POST", "/__admin/reset")

    def advance(self, seconds):
        """Makes ``seconds`` of server time pass at once (tokens expire, jobs finish, transitions
        and webhook retries fire)."""
        return self._call("POST", "/__admin/clock/advance", {"seconds": int(seconds)})

    def set_clock(self, instant):
        """Sets the server clock to an RFC 3339 instant."""
        return self._call("POST", "/__admin/clock/set", {"now": instant})

    def clock(self):
        """``{"now": ..., "frozen": ...}``."""
        return self._call("GET", "/__admin/clock")

    def transition(self, vendor, connection, status, status_reason=None):
        """Changes a connection's status now, with the events and webhooks the vendor sends."""
        body = {"vendor": vendor, "connection": connection, "status": status}
        if status_reason is not None:
            body["statusReason"] = status_reason
        return self._call("POST", "/__admin/transitions", body)

    def requests(self, **filters):
        """The journal of vendor requests, oldest first (filters: vendor, method, path, status)."""
        query = "&".join("%s=%s" % (k, urllib.request.quote(str(v))) for k, v in filters.items())
        return self._call("GET", "/__admin/requests" + ("?" + query if query else ""))["requests"]

    def webhooks(self, vendor=None):
        """Every webhook delivery attempt, oldest first."""
        suffix = "?vendor=" + vendor if vendor else ""
        return self._call("GET", "/__admin/webhooks" + suffix)["attempts"]
