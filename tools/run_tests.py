"""`make test`: static checks, repository tests, then the addons' Odoo suites in a fresh database.

The last line counts everything that ran: ``N passed, N failed, N skipped``.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from . import postgres, static_checks
from .odoo_locator import ADDONS, REPO, OdooNotFound, locate
from .odoo_session import OdooSession, free_port

LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<message>.*)"
)
SUMMARY = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database")
# Log records that concern the suite; any warning among them makes the install log unclean.
OURS = re.compile(r"stored_value_crm|loyalty_tiers|customer_feedback|stored\.value\.|loyalty\.tier|customer\.feedback")


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    notes: list = field(default_factory=list)

    def add(self, name, passed=0, failed=0, skipped=0):
        self.passed += passed
        self.failed += failed
        self.skipped += skipped
        self.notes.append(f"{name}: {passed} passed, {failed} failed, {skipped} skipped")


def banner(text):
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}", flush=True)


def tool(name):
    """A tool installed beside the running Python (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name) or name


def run_tool(tally, name, command):
    banner(f"static: {name}")
    print("$ " + " ".join(command), flush=True)
    code = subprocess.run(command, cwd=REPO, check=False).returncode
    print("ok" if code == 0 else f"FAILED (exit {code})", flush=True)
    tally.add(name, passed=int(code == 0), failed=int(code != 0))


def run_static(tally):
    addons = [name for name in ADDONS if (REPO / name).is_dir()]
    run_tool(tally, "ruff check", [tool("ruff"), "check", "."])
    run_tool(tally, "ruff format", [tool("ruff"), "format", "--check", "."])
    run_tool(tally, "pylint-odoo", [tool("pylint"), "--rcfile=.pylintrc", *addons])
    run_tool(tally, "oca-checks-odoo-module", [tool("oca-checks-odoo-module"), *addons])
    po_files = [str(path.relative_to(REPO)) for name in addons for path in sorted((REPO / name).glob("i18n/*.po*"))]
    if po_files:
        run_tool(tally, "oca-checks-po", [tool("oca-checks-po"), *po_files])
    for name, problems in static_checks.run_all(REPO):
        banner(f"static: {name}")
        print("\n".join(problems) if problems else "ok", flush=True)
        tally.add(name, passed=int(not problems), failed=int(bool(problems)))


def run_repository_tests(tally):
    banner("repository tests (tests/, pytest)")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "junit.xml"
        code = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", "tests"],
            cwd=REPO,
            check=False,
        ).returncode
        if not report.exists():
            tally.add("repository tests", failed=1)
            return
        suite = ElementTree.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        total, skipped = int(suite.get("tests")), int(suite.get("skipped"))
        failed = int(suite.get("failures")) + int(suite.get("errors"))
        if code not in (0, 1, 5):
            failed = max(failed, 1)  # pytest itself broke (usage error, interrupted)
        tally.add("repository tests", passed=total - failed - skipped, failed=failed, skipped=skipped)


def analyse_odoo_log(lines):
    """Count Odoo's test results, and the log records that make an install unclean."""
    summary, skipped, unclean = None, 0, []
    for line in lines:
        match = LOG_LINE.match(line)
        if not match:
            continue
        level, logger, message = match["level"], match["logger"], match["message"]
        found = SUMMARY.search(message)
        if found and logger == "odoo.tests.result":
            summary = {key: int(value) for key, value in found.groupdict().items()}
        elif level == "INFO" and message.startswith("skipped "):
            skipped += 1
        elif level in ("ERROR", "CRITICAL") or (level == "WARNING" and OURS.search(f"{logger} {message}")):
            unclean.append(line.rstrip())
    return summary, skipped, unclean


def run_odoo_suites(tally, addons, keep_database):
    try:
        odoo = locate()
    except OdooNotFound as error:
        banner(
            "ODOO SUITES NOT RUN\n"
            f"The addons' tests ({', '.join(addons)}) need a real Odoo 19 and were NOT run.\n\n{error}"
        )
        tally.add("Odoo suites (NOT RUN)", skipped=len(addons))
        return
    if not shutil.which("chromium") and not shutil.which("google-chrome"):
        banner("WARNING: no Chromium found: Odoo skips its browser tours (Debian: apt-get install chromium)")
    server = postgres.find_server()
    dbname = os.environ.get("TEST_DB", "stored_value_test")
    session = OdooSession(odoo, server, "test", http_port=free_port(), db_name=dbname, dbfilter=f"^{dbname}$")
    banner(
        f"Odoo suites: {', '.join(addons)}\nOdoo 19 from {odoo.origin}\n"
        f"PostgreSQL: {server.origin}; fresh database {dbname!r}"
    )
    session.drop_database(dbname)
    log_path = postgres.LOCAL / "test-odoo.log"
    code = session.run(
        "-d", dbname, "-i", ",".join(addons), "--with-demo", "--test-enable",
        "--test-tags", ",".join(f"/{name}" for name in addons),
        "--stop-after-init", "--log-level=info", log_path=log_path,
    )  # fmt: skip
    summary, skipped, unclean = analyse_odoo_log(log_path.read_text(errors="replace").splitlines())
    if not keep_database:
        session.drop_database(dbname)
    if summary is None:
        banner(f"Odoo stopped (exit {code}) before reporting its tests: see {log_path}")
        tally.add("Odoo suites", failed=1)
        return
    failed = summary["failed"] + summary["errors"]
    tally.add("Odoo tests", passed=summary["run"] - failed - skipped, failed=failed, skipped=skipped)
    # Failing tests already count; otherwise an error in the log, a bad exit or no test at all is a failure.
    install_problems = (failed == 0 and (unclean or code != 0)) or summary["run"] == 0
    if unclean:
        banner("Odoo log records that make the run unclean:\n" + "\n".join(unclean[:50]))
    if install_problems:
        tally.add(f"Odoo install and log (exit {code}, {summary['run']} tests)", failed=1)
    if skipped:
        banner(f"NOTE: {skipped} Odoo tests were skipped: see 'skipped' in {log_path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addons", default=",".join(ADDONS), help="addons whose Odoo suites run (default: all)")
    parser.add_argument("--static-only", action="store_true", help="skip the Odoo suites")
    parser.add_argument("--keep-db", action="store_true", help="keep the test database afterwards")
    args = parser.parse_args(argv)
    addons = [name.strip() for name in args.addons.split(",") if name.strip()]
    unknown = set(addons) - set(ADDONS)
    if unknown:
        parser.error(f"unknown addons: {', '.join(sorted(unknown))}")
    tally = Tally()
    run_static(tally)
    run_repository_tests(tally)
    if args.static_only:
        tally.add("Odoo suites (not asked for)", skipped=len(addons))
    else:
        run_odoo_suites(tally, addons, args.keep_db)
    banner("Summary\n" + "\n".join(tally.notes))
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped", flush=True)
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
