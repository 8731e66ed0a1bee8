"""`make run`: serve the three addons with their demo data on http://127.0.0.1:8069."""

import os
import sys

from . import postgres
from .odoo_locator import ADDONS, OdooNotFound, locate
from .odoo_session import OdooSession

DEMO_LOGINS = (
    ("admin", "admin", "administrator: every menu, settings, all stored-value rights"),
    ("demo", "demo", "stored-value user: issues cards, tops up, takes payments"),
    ("portal", "portal", "portal member: card, points, tier, answers and complaints at /my"),
)


def main():
    try:
        odoo = locate()
    except OdooNotFound as error:
        sys.exit(str(error))
    dbname = os.environ.get("DB", "stored_value_demo")
    port = int(os.environ.get("PORT", "8069"))
    server = postgres.find_server()
    session = OdooSession(odoo, server, "run", http_port=port, db_name=dbname, dbfilter=f"^{dbname}$")
    print(f"Odoo 19 from {odoo.origin}; PostgreSQL: {server.origin}; database {dbname!r}", flush=True)
    if session.installed_modules(dbname, ADDONS) != set(ADDONS):
        print(f"Installing {', '.join(ADDONS)} with demo data (a few minutes the first time)...", flush=True)
        if session.run("-d", dbname, "-i", ",".join(ADDONS), "--with-demo", "--stop-after-init", "--no-http"):
            sys.exit("Installing the addons failed: see the log above.")
    url = f"http://127.0.0.1:{port}"
    print(f"\nServing {url}  (database {dbname}; Ctrl+C stops)\nDemo logins:")
    for login, password, role in DEMO_LOGINS:
        print(f"  {login:<10} / {password:<10} {role}")
    print(flush=True)
    os.execvpe(session.command()[0], session.command("-d", dbname), session.odoo.environ())


if __name__ == "__main__":
    main()
