"""`make test-odoo-apps`: Odoo's own test suites of the apps the suite extends, with the suite installed.

A fresh database gets the apps and the three addons (``--baseline``: the apps alone), then Odoo runs the
apps' tests (``/loyalty,/sale_loyalty,/pos_loyalty,/survey``, Chromium tours included). Each failure is
then one of four: a difference on purpose (listed, with its reason, in the README's section
"Where the suite differs from Odoo on purpose"), a failure of the moment (it passes when run again alone
with the suite: a tour's step timing out on a loaded machine), the tree's own (it fails without the suite
too: known from the last ``--baseline`` run, else found by running it on the apps alone), or a regression.
The run passes when no regression is left. The last line is ``N passed, N failed, N skipped``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

from . import postgres
from .odoo_locator import REPO, OdooNotFound, locate
from .odoo_session import OdooSession, free_port
from .run_tests import LOG_LINE, SUMMARY, banner

APPS = ("loyalty", "sale_loyalty", "pos_loyalty", "survey")
# Installing the last of the suite installs the other two.
SUITE_TOP = "customer_feedback"
# What Odoo logs for a failed test: "FAIL: TestUi.test_x" (or "ERROR: ..."), under the test module's logger.
FAILURE = re.compile(r"^(?P<flavour>FAIL|ERROR): (?:Subtest )?(?P<test>\S+)")
SKIP = re.compile(r"^skipped (?P<test>\S+) : (?P<reason>.*)")
INTENDED_HEADING = "Where the suite differs from Odoo on purpose"
# The database failures are run again in; the server's dbfilter lets the tours log into it.
RERUN = "rerun"
# "- `pos_loyalty: TestUi.test_x` — why": one Odoo test per line of that README section.
INTENDED_LINE = re.compile(r"^- `(?P<test>[a-z_]+: [\w.]+)`\s*[—:-]+\s*(?P<reason>.+)")


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


def intended_differences(readme_text):
    """``{test: reason}`` of the Odoo tests the README names as showing a rule of Odoo's we change on purpose."""
    differences, inside = {}, False
    for line in readme_text.splitlines():
        if line.startswith("#"):
            inside = INTENDED_HEADING in line
        elif inside and (found := INTENDED_LINE.match(line)):
            differences[found["test"]] = found["reason"].strip()
    return differences


def label_failures(failures, intended, tree_failures, flaky=frozenset()):
    """``[(failure, label, is_regression)]``: each failure with where it comes from.

    ``intended`` maps the differences on purpose to their reason; ``tree_failures`` holds the tests that
    fail without the suite too, ``flaky`` those that passed when run again.
    """
    labelled = []
    for name in failures:
        if name in intended:
            labelled.append((name, f"on purpose: {intended[name]}", False))
        elif name in flaky:
            labelled.append((name, "passed when run again alone", False))
        elif name in tree_failures:
            labelled.append((name, "also fails without the suite", False))
        else:
            labelled.append((name, "REGRESSION: passes without the suite", True))
    return labelled


def tag_of(failure):
    """The ``--test-tags`` spec of one failure named ``addon: Class.test``."""
    addon, test = failure.split(": ", 1)
    return f"/{addon}:{test}"


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


def run_suites(session, dbname, modules, tags, log_path):
    """Install ``modules`` in a fresh ``dbname`` and run the tests ``tags``; ``(summary, failures, skips)``."""
    session.drop_database(dbname)
    code = session.run(
        "-d", dbname, "-i", ",".join(modules), "--test-enable", "--test-tags", ",".join(tags),
        "--stop-after-init", "--log-level=info", log_path=log_path,
    )  # fmt: skip
    summary, failures, skips = read_results(log_path.read_text(errors="replace").splitlines())
    if summary is None:
        banner(f"Odoo stopped (exit {code}) before reporting its tests: see {log_path}")
    return summary, failures, skips


def explain_failures(session, dbname, failures):
    """``(flaky, tree_failures)`` among ``failures``, by running just those tests again.

    First with the suite: a test that passes now failed for the machine's sake (a tour's step timing out
    on a loaded machine). Then, for those failing again, without the suite (unless a baseline run
    already said): a test failing there too is the tree's own.
    """
    rerun = f"{dbname}_{RERUN}"
    banner(f"Running the {len(failures)} unexplained failure(s) again, alone, with the suite")
    tags = [tag_of(name) for name in failures]
    summary, again, _skips = run_suites(
        session, rerun, [*APPS, SUITE_TOP], tags, postgres.LOCAL / "test-odoo-apps-rerun.log"
    )
    again = set(again) & set(failures) if summary else set(failures)
    flaky = set(failures) - again
    baseline_file = failures_path(baseline=True)
    if not again:
        tree_failures = set()
    elif baseline_file.exists():
        tree_failures = set(baseline_file.read_text().splitlines()) & again
    else:
        banner(f"Running the {len(again)} failure(s) left on the apps alone, without the suite")
        summary, alone, _skips = run_suites(
            session,
            rerun,
            APPS,
            [tag_of(name) for name in sorted(again)],
            postgres.LOCAL / "test-odoo-apps-recheck.log",
        )
        tree_failures = set(alone) & again if summary else set()
    session.drop_database(rerun)
    return flaky, tree_failures


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
    session = OdooSession(
        odoo, server, "test-odoo-apps", http_port=free_port(), db_name=dbname, dbfilter=f"^{dbname}(_{RERUN})?$"
    )
    modules = [*APPS] if args.baseline else [*APPS, SUITE_TOP]
    banner(
        f"Odoo's suites of {', '.join(APPS)} on {what}\nOdoo 19 from {odoo.origin}\n"
        f"PostgreSQL: {server.origin}; fresh database {dbname!r}"
    )
    log_path = postgres.LOCAL / ("test-odoo-apps-baseline.log" if args.baseline else "test-odoo-apps.log")
    started = time.monotonic()
    summary, failures, skips = run_suites(session, dbname, modules, [f"/{name}" for name in APPS], log_path)
    if not args.keep_db:
        session.drop_database(dbname)
    if summary is None:
        print("0 passed, 1 failed, 0 skipped", flush=True)
        return 1
    failures_path(args.baseline).write_text("".join(f"{name}\n" for name in failures))
    failed = summary["failed"] + summary["errors"]
    passed = summary["run"] - failed - len(skips)
    report = [f"{what}: {summary['run']} tests (log: {log_path})"]
    regressions = []
    if failures and args.baseline:
        report += ["", "Failed (the tree's own):", *failures]
    elif failures:
        intended = intended_differences((REPO / "README.md").read_text())
        unexplained = [name for name in failures if name not in intended]
        flaky, tree_failures = explain_failures(session, dbname, unexplained) if unexplained else (set(), set())
        labelled = label_failures(failures, intended, tree_failures, flaky)
        regressions = [name for name, _label, regression in labelled if regression]
        report += ["", "Failed:", *(f"{name}  ({label})" for name, label, _regression in labelled)]
    if skips:
        report += ["", "Skipped (with the reason Odoo gave):"]
        report += [f"{name}: {reason}" for name, reason in skips]
    minutes = (time.monotonic() - started) / 60
    verdict = f"{len(regressions)} regression(s)" if regressions else "no regression"
    report += ["", f"{verdict}; {minutes:.1f} min in all"]
    banner("\n".join(report))
    print(f"{passed} passed, {failed} failed, {len(skips)} skipped", flush=True)
    if args.baseline:
        return 1 if failed or summary["run"] == 0 else 0
    return 1 if regressions or summary["run"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
