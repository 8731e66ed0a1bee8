"""What every benchmark needs: the Odoo `make test` finds, a database with the addons, an environment here.

A benchmark module calls :func:`main` with its own ``run(harness)``; with ``ODOO_PATH`` it is re-executed
with that tree on its path, and prints its figures and ratios last. Until :func:`main` has found Odoo nothing
of Odoo is importable, so the modules of ``bench/`` import Odoo only inside their functions
(``tests/test_lazy_imports.py`` checks it).
"""

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tools import postgres
from tools.odoo_locator import OdooNotFound, locate
from tools.odoo_session import OdooSession, free_port


class Harness:
    def __init__(self, odoo):
        self.odoo = odoo
        self.server = postgres.find_server()
        self.results = []

    def session(self, dbname, **options):
        return OdooSession(self.odoo, self.server, f"bench-{dbname}", db_name=dbname, **options)

    def fresh_database(self, dbname, addons):
        """Drop ``dbname`` and install ``addons`` in it, without demo data."""
        session = self.session(dbname)
        session.drop_database(dbname)
        print(f"Installing {', '.join(addons)} in a fresh database {dbname!r} ...", flush=True)
        if session.run("-d", dbname, "-i", ",".join(addons), "--stop-after-init", "--no-http"):
            sys.exit(f"Installing {addons} in {dbname} failed: see the log above.")
        return session

    def registry(self, session, dbname):
        """Odoo's registry of ``dbname``, loaded in this process with the session's configuration."""
        from odoo.modules.registry import Registry
        from odoo.tools import config

        config.parse_config(["-c", str(session.config_path), "-d", dbname, "--log-level=warn"])
        return Registry(dbname)

    @contextlib.contextmanager
    def environment(self, registry, uid=None, context=None):
        """An environment in a transaction of its own, committed on leaving (a request, as Odoo serves one)."""
        from odoo import SUPERUSER_ID, api

        with registry.cursor() as cr:
            yield api.Environment(cr, uid or SUPERUSER_ID, context or {})

    @contextlib.contextmanager
    def serve(self, session, dbname, workers=4):
        """``odoo-bin --workers`` serving ``dbname`` on a free port; yields its JSON-RPC client."""
        port = free_port()
        command = session.command(
            "-d", dbname, f"--workers={workers}", "--max-cron-threads=0", f"--http-port={port}",
            f"--db-filter=^{dbname}$", "--log-level=warn", "--limit-time-real=600", "--limit-time-cpu=600",
        )  # fmt: skip
        log = open(postgres.LOCAL / f"bench-{dbname}-server.log", "w")  # noqa: SIM115 - closed below
        process = subprocess.Popen(command, env=self.odoo.environ(), stdout=log, stderr=subprocess.STDOUT)
        client = JsonRpc(f"http://127.0.0.1:{port}", dbname)
        try:
            deadline = time.monotonic() + 120
            while not client.ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"The Odoo server did not start: see {log.name}")
                time.sleep(0.5)
            yield client
        finally:
            process.terminate()
            process.wait(30)
            log.close()

    def report(self, name, value, unit="", goal=None):
        """Record a figure; ``goal`` is a text such as "≤ 1.10×" printed beside it."""
        self.results.append((name, value, unit, goal))

    def print_results(self, title):
        print(f"\n{'=' * 78}\n{title}\n{'=' * 78}")
        for name, value, unit, goal in self.results:
            if isinstance(value, float):
                shown = f"{value:,.3f}"
            else:
                shown = f"{value:,}" if isinstance(value, int) else str(value)
            target = f"  goal {goal}" if goal else ""
            print(f"{name:<70} {shown:>12} {unit:<8}{target}")


class JsonRpc:
    """Odoo's external JSON-RPC API, as a client outside the server sees it."""

    def __init__(self, url, dbname):
        self.url, self.dbname = url, dbname

    def ready(self):
        try:
            with urllib.request.urlopen(f"{self.url}/web/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def call(self, service, method, *args):
        """The result, or raise :class:`RpcError` with the server's message."""
        body = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args}}
        request = urllib.request.Request(
            f"{self.url}/jsonrpc", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RpcError(answer["error"]["data"].get("message") or answer["error"]["message"])
        return answer["result"]

    def login(self, login, password):
        return self.call("common", "login", self.dbname, login, password)

    def execute(self, uid, password, model, method, *args):
        return self.call("object", "execute_kw", self.dbname, uid, password, model, method, list(args))


class RpcError(Exception):
    pass


def median(values):
    return statistics.median(values) if values else 0.0


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main(module_name, run):
    """Run ``run(harness)`` under a Python that imports Odoo, re-executing there when needed."""
    try:
        odoo = locate()
    except OdooNotFound as error:
        sys.exit(f"Benchmarks need Odoo 19.\n{error}")
    if odoo.pythonpath and not os.environ.get("SVC_BENCH_REEXEC"):
        # Odoo comes from ODOO_PATH: start again with that tree first on the path, so that this process
        # imports the same Odoo as the servers it starts, even when the Python has another one installed.
        environ = {**odoo.environ(), "SVC_BENCH_REEXEC": "1"}
        os.execvpe(odoo.python, [odoo.python, "-m", module_name, *sys.argv[1:]], environ)
    run(Harness(odoo))


__all__ = ["Harness", "JsonRpc", "RpcError", "free_port", "main", "median", "percentile"]
