"""Find a PostgreSQL server for Odoo, or start a private one.

Order: the server named by the usual libpq variables (PGHOST, PGPORT, PGUSER) if set;
the local socket; 127.0.0.1:5432; else a private cluster under ``.local/pgdata`` made
with this machine's ``initdb`` and ``pg_ctl``.
"""

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .odoo_locator import REPO

LOCAL = REPO / ".local"
PRIVATE_DATA = LOCAL / "pgdata"
PRIVATE_SOCKET = LOCAL / "pgsocket"
PRIVATE_PORT = 54329
PRIVATE_USER = "odoo"


@dataclass
class Server:
    """Where Odoo connects: ``host`` is a hostname or a socket folder (empty: libpq's default)."""

    host: str = ""
    port: int = 5432
    user: str = ""
    origin: str = ""

    def libpq_args(self):
        args = {"dbname": "postgres", "port": self.port, "connect_timeout": 3}
        if self.host:
            args["host"] = self.host
        if self.user:
            args["user"] = self.user
        return args

    def odoo_options(self):
        """Lines of an Odoo configuration file's [options] section (libpq's defaults where empty)."""
        options = {"db_host": self.host, "db_port": str(self.port), "db_user": self.user}
        return {key: value for key, value in options.items() if value}


def _answers(server):
    import psycopg2  # only needed once Odoo (and so psycopg2) is there

    try:
        psycopg2.connect(**server.libpq_args()).close()
    except psycopg2.Error:
        return False
    return True


def find_server():
    """Return a :class:`Server` that accepts connections, starting a private one if needed."""
    if os.environ.get("SVC_PRIVATE_PG") != "1":
        candidates = []
        if any(os.environ.get(name) for name in ("PGHOST", "PGPORT", "PGUSER")):
            candidates.append(
                Server(
                    os.environ.get("PGHOST", ""),
                    int(os.environ.get("PGPORT", "5432")),
                    os.environ.get("PGUSER", ""),
                    "PGHOST/PGPORT/PGUSER",
                )
            )
        candidates += [Server(origin="the local socket"), Server("127.0.0.1", 5432, origin="127.0.0.1:5432")]
        for server in candidates:
            if _answers(server):
                return server
    return start_private_server()


def _pg_binary(name):
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    if versions:
        return versions[-1]
    raise SystemExit(
        f"No PostgreSQL server answers and `{name}` was not found to start a private one. "
        "Install PostgreSQL (Debian: apt-get install postgresql) or set PGHOST/PGPORT/PGUSER."
    )


def _as_cluster_owner():
    """PostgreSQL refuses to run as root: run the private cluster as the `postgres` or `nobody` user."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            owner = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--init-groups"], owner
    raise SystemExit("Running as root, and no `postgres` or `nobody` user exists to own a private PostgreSQL.")


def start_private_server():
    """Start (creating it on first use) the cluster in ``.local/pgdata``; return its :class:`Server`."""
    prefix, owner = _as_cluster_owner()
    server = Server(str(PRIVATE_SOCKET), PRIVATE_PORT, PRIVATE_USER, f"private cluster in {PRIVATE_DATA}")
    PRIVATE_SOCKET.mkdir(parents=True, exist_ok=True)
    if owner:
        # The owner must reach the folders below the repository to open its data and socket.
        for folder in (LOCAL, PRIVATE_SOCKET):
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        LOCAL.chmod(0o755)
    if not (PRIVATE_DATA / "PG_VERSION").exists():
        PRIVATE_DATA.mkdir(mode=0o700, exist_ok=True)
        if owner:
            os.chown(PRIVATE_DATA, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [*prefix, _pg_binary("initdb"), "-D", str(PRIVATE_DATA), "-U", PRIVATE_USER, "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if not _answers(server):
        subprocess.run(
            [
                *prefix,
                _pg_binary("pg_ctl"),
                "-D",
                str(PRIVATE_DATA),
                "-l",
                str(LOCAL / "postgresql.log"),
                "-o",
                f"-k {PRIVATE_SOCKET} -p {PRIVATE_PORT} -c listen_addresses=''",
                "-w",
                "start",
            ],
            check=True,
        )
    return server
