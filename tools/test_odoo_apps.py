"""`make test-odoo-apps`: Odoo's own test suites of the apps the suite extends, with the suite installed.

A fresh database gets the apps and the three addons (``--baseline``: the apps alone), then Odoo runs the
apps' tests (``/loyalty,/sale_loyalty,/pos_loyalty,/survey``, Chromium tours included). The failures of
each run are kept in ``.local``; a run with the addons names, beside each failure, whether it also fails
in the last baseline run (the tree's own) or not (ours). The last line is ``N passed, N failed, N skipped``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

from . import postgres
from .odoo_locator import OdooNotFound, locate
from .odoo_session import OdooSession, free_port
from .run_tests import LOG_LINE, SUMMARY, banner

APPS = ("loyalty", "sale_loyalty", "pos_loyalty", "survey")
# Installing the last of the suite installs the other two.
SUITE_TOP = "customer_feedback"
# What Odoo logs for a failed test: "FAIL: TestUi.test_x" (or "ERROR: ..."), under the test module's logger.
FAILURE = re.compile(r"^(?P<flavour>FAIL|ERROR): (?:Subtest )?(?P<test>\S+)")
SKIP = re.compile(r"^skipped (?P<test>\S+) : (?P<reason>.*)")


def failures_path(baseline):
    return postgres.LOCAL / ("test-odoo-apps-baseline.failures" if baseline else "test-odoo-apps.failures")


def read_results(lines):
    """``(summary, failures, skips)`` of an Odoo test log.

    ``summary`` is Odoo's closing count (None if Odoo stopped before it), ``failures`` the sorted names
    ``addon: Class.test`` of failed tests, ``skips`` ``[(name, reason)]`` of skipped ones.
    """
    summary, failures, skips = None, set(), []
    for line in lines:
        match = LOG_LINE.match(line)
        if not match:
            continue
        logger, message = match["logger"], match["message"]
        name = logger.removeprefix("odoo.addons.").split(".tests.")[0]
        found = SUMMARY.search(message)
        if found and logger == "odoo.tests.result":
            summary = {key: int(value) for key, value in found.groupdict().items()}
        elif match["level"] == "ERROR" and (failed := FAILURE.match(message)):
            failures.add(f"{name}: {failed['test']}")
        elif match["level"] == "INFO" and (skipped := SKIP.match(message)):
            skips.append((f"{name}: {skipped['test']}", skipped["reason"]))
    return summary, sorted(failures), skips


def label_failures(failures, baseline_failures):
    """Each failure with where it comes from, given the baseline's failures (None: no baseline run yet)."""
    if baseline_failures is None:
        return [f"{name}  (no baseline run to compare: make test-odoo-apps BASELINE=1)" for name in failures]
    origins = {True: "also fails without the suite", False: "REGRESSION: passes without the suite"}
    return [f"{name}  ({origins[name in baseline_failures]})" for name in failures]


def browser_problems(odoo):
    """Why Odoo would skip its tours here: no Chromium, or no ``websocket-client`` in Odoo's Python."""
    problems = []
    if not any(shutil.which(name) for name in ("chromium", "google-chrome", "chromium-browser")):
        problems.append("no Chromium on PATH (Debian: apt-get install chromium)")
    probe = subprocess.run(
        [odoo.python, "-c", "import websocket"], env=odoo.environ(), capture_output=True, check=False, cwd="/"
    )
    if probe.returncode:
        problems.append(f"no `websocket-client` package in {odoo.python} (pip install websocket-client)")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", action="store_true", help="the apps alone, without the suite's addons")
    parser.add_argument("--keep-db", action="store_true", help="keep the test database afterwards")
    args = parser.parse_args(argv)
    what = "the apps alone (baseline)" if args.baseline else "the apps with the suite's addons"
    try:
        odoo = locate()
    except OdooNotFound as error:
        banner(f"ODOO APPS' SUITES NOT RUN\nOdoo's tests of {', '.join(APPS)} need a real Odoo 19.\n\n{error}")
        print(f"0 passed, 0 failed, {len(APPS)} skipped (NOT RUN: no Odoo)", flush=True)
        return 2
    problems = browser_problems(odoo)
    if problems:
        banner("WARNING: Odoo will skip its browser tours: " + "; ".join(problems))
    server = postgres.find_server()
    default_db = "odoo_apps_baseline" if args.baseline else "odoo_apps_test"
    dbname = os.environ.get("TEST_DB", default_db)
    session = OdooSession(odoo, server, "test-odoo-apps", http_port=free_port(), db_name=dbname, dbfilter=f"^{dbname}$")
    modules = [*APPS] if args.baseline else [*APPS, SUITE_TOP]
    banner(
        f"Odoo's suites of {', '.join(APPS)} on {what}\nOdoo 19 from {odoo.origin}\n"
        f"PostgreSQL: {server.origin}; fresh database {dbname!r}"
    )
    session.drop_database(dbname)
    log_path = postgres.LOCAL / ("test-odoo-apps-baseline.log" if args.baseline else "test-odoo-apps.log")
    started = time.monotonic()
    code = session.run(
        "-d", dbname, "-i", ",".join(modules), "--test-enable",
        "--test-tags", ",".join(f"/{name}" for name in APPS),
        "--stop-after-init", "--log-level=info", log_path=log_path,
    )  # fmt: skip
    minutes = (time.monotonic() - started) / 60
    if not args.keep_db:
        session.drop_database(dbname)
    summary, failures, skips = read_results(log_path.read_text(errors="replace").splitlines())
    if summary is None:
        banner(f"Odoo stopped (exit {code}) before reporting its tests: see {log_path}")
        print("0 passed, 1 failed, 0 skipped", flush=True)
        return 1
    failures_path(args.baseline).write_text("".join(f"{name}\n" for name in failures))
    baseline_file = failures_path(baseline=True)
    baseline_failures = None
    if not args.baseline and baseline_file.exists():
        baseline_failures = set(baseline_file.read_text().splitlines())
    failed = summary["failed"] + summary["errors"]
    passed = summary["run"] - failed - len(skips)
    report = [f"{what}: {summary['run']} tests in {minutes:.1f} min (log: {log_path})"]
    if failures:
        report += ["", "Failed:", *(failures if args.baseline else label_failures(failures, baseline_failures))]
    if skips:
        report += ["", "Skipped (with the reason Odoo gave):"]
        report += [f"{name}: {reason}" for name, reason in skips]
    banner("\n".join(report))
    print(f"{passed} passed, {failed} failed, {len(skips)} skipped", flush=True)
    return 1 if failed or summary["run"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
