"""An Odoo found by :mod:`tools.odoo_locator` wired to a database server from :mod:`tools.postgres`."""

import configparser
import re
import socket
import subprocess
import sys

from . import postgres


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OdooSession:
    """Writes ``.local/<name>.conf`` and runs Odoo commands with it."""

    def __init__(self, odoo, server, name, **options):
        self.odoo = odoo
        self.server = server
        self.config_path = postgres.LOCAL / f"{name}.conf"
        config = configparser.ConfigParser(interpolation=None)
        config["options"] = {
            "addons_path": ",".join(map(str, odoo.addons_path)),
            "data_dir": str(postgres.LOCAL / "filestore"),
            "http_interface": "127.0.0.1",
            "list_db": "False",
            **server.odoo_options(),
            **{key: str(value) for key, value in options.items()},
        }
        postgres.LOCAL.mkdir(exist_ok=True)
        with self.config_path.open("w") as handle:
            config.write(handle)

    def command(self, *args):
        """Odoo's command line, the configuration file placed after any sub-command (``i18n export``)."""
        words = 0
        while words < len(args) and not args[words].startswith("-"):
            words += 1
        return self.odoo.command(*args[:words], "-c", str(self.config_path), *args[words:])

    def run(self, *args, log_path=None):
        """Run Odoo; stream its output, and copy it to ``log_path`` when given. Return the exit code."""
        process = subprocess.Popen(
            self.command(*args),
            env=self.odoo.environ(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        with open(log_path or "/dev/null", "w") as log:
            for line in process.stdout:
                sys.stdout.write(line)
                log.write(line)
        return process.wait()

    def _query(self, sql, params=(), dbname="postgres"):
        import psycopg2  # present wherever Odoo is

        connection = psycopg2.connect(**{**self.server.libpq_args(), "dbname": dbname})
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def database_exists(self, dbname):
        return bool(self._query("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)))

    def vacuum(self, dbname, tables):
        """``VACUUM ANALYZE`` the ``tables`` of ``dbname`` (names, not user input), as autovacuum would."""
        self._query(f"VACUUM ANALYZE {', '.join(tables)}", dbname=dbname)

    def drop_database(self, dbname):
        if not re.fullmatch(r"[A-Za-z0-9_-]+", dbname):
            raise ValueError(f"Refusing to drop a database with an unusual name: {dbname!r}")
        if self.database_exists(dbname):
            self._query(f'DROP DATABASE "{dbname}" WITH (FORCE)')

    def installed_modules(self, dbname, names):
        """Which of ``names`` are installed in ``dbname`` (none if it is not an Odoo database)."""
        if not self.database_exists(dbname):
            return set()
        has_modules = self._query("SELECT to_regclass('ir_module_module') IS NOT NULL", dbname=dbname)[0][0]
        if not has_modules:
            return set()
        rows = self._query(
            "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s)",
            (list(names),),
            dbname=dbname,
        )
        return {name for (name,) in rows}
