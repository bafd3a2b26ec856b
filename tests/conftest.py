"""Shared fixtures: real databases for every test that needs one.

Fixtures (use them by name; do not copy them):

- `postgres_server` (session): a throwaway PostgreSQL server started from Debian's
  binaries (/usr/lib/postgresql/<version>/bin) as the `postgres` user, in a temp
  directory, on 127.0.0.1 and a free port, trust auth; stopped at the end of the
  session. Its value is the server URL without a database name
  ('postgresql+psycopg2://postgres@127.0.0.1:PORT'). When the binaries are
  missing the test is skipped, or fails when REQUIRE_POSTGRES=1.
- `database_url`: parametrised over "sqlite" and "postgresql": a FRESH database
  per test (a new SQLite file in tmp_path, or CREATE DATABASE with a unique name
  on the server, dropped afterwards). It is EMPTY unless the test also uses
  `migrated_engine` or `loaded_engine`. PostgreSQL cases carry the `postgres`
  marker (`-m "not postgres"` runs SQLite only).
- `migrated_engine`: an Engine on `database_url`, upgraded to Alembic `heads`.
- `loaded_engine`: `migrated_engine` with content/demo-council loaded.
  Both are copies of a database migrated (and loaded) once per session, which
  is far cheaper than migrating for every test; the result is the same.
- `demo_dir`: the path of content/demo-council.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.db.migrate import upgrade
from bot.db.session import make_engine, session_scope
from bot.demo_data import DEMO_COUNCIL_DIR, prepare_demo_database
from bot.services.data_loader import load_council_data

DEMO_DIR = DEMO_COUNCIL_DIR


def _postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    # PostgreSQL refuses to run as root; when we are root, run it as `postgres`.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        prefix + args, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the whole test session; yields its URL without a database."""
    bin_dir = _postgres_bin_dir()
    if bin_dir is None:
        _missing("no /usr/lib/postgresql/*/bin/pg_ctl")
    assert bin_dir is not None
    workdir = tempfile.mkdtemp(prefix="council-pg-")
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres", group="postgres")
    data_dir = os.path.join(workdir, "data")
    port = _free_port()
    init = _as_postgres(
        [
            str(bin_dir / "initdb"),
            "-D",
            data_dir,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        cwd=workdir,
    )
    if init.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        _missing(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={workdir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        "-c wal_level=minimal -c max_wal_senders=0"
    )
    start = _as_postgres(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            data_dir,
            "-o",
            options,
            "-l",
            os.path.join(workdir, "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        cwd=workdir,
    )
    if start.returncode != 0:
        log = Path(workdir, "server.log")
        detail = log.read_text()[-500:] if log.exists() else start.stderr
        shutil.rmtree(workdir, ignore_errors=True)
        _missing(f"pg_ctl start failed: {detail.strip()}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}"
    finally:
        _as_postgres(
            [str(bin_dir / "pg_ctl"), "-D", data_dir, "-m", "fast", "-w", "stop"], cwd=workdir
        )
        shutil.rmtree(workdir, ignore_errors=True)


class _Templates:
    """Databases already migrated (and loaded), copied for each test instead of rebuilt.

    Built once per session and backend, on first use: a PostgreSQL template
    database, or a SQLite file. Copying is much cheaper than migrating each time.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: dict[tuple[str, str], str] = {}

    def sqlite_file(self, kind: str) -> Path:
        key = ("sqlite", kind)
        if key not in self._made:
            path = self._folder / f"{kind}.db"
            _prepare(f"sqlite:///{path}", kind)
            self._made[key] = str(path)
        return Path(self._made[key])

    def postgres_database(self, server: str, kind: str) -> str:
        key = (server, kind)
        if key not in self._made:
            name = f"template_{kind}"
            _create_database(server, name)
            _prepare(f"{server}/{name}", kind)
            self._made[key] = name
        return self._made[key]


def _prepare(url: str, kind: str) -> None:
    if kind == "loaded":
        prepare_demo_database(url)  # migrated, then the demo council loaded
    else:
        upgrade(url)


def _create_database(server: str, name: str, template: str | None = None) -> None:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", future=True)
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()


def _drop_database(server: str, name: str) -> None:
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _database_templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    return _Templates(tmp_path_factory.mktemp("database-templates"))


# URL -> "migrated" or "loaded" when database_url already copied that state in.
_PREPARED: dict[str, str] = {}


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _database_templates: _Templates
) -> Iterator[str]:
    """A fresh database per test, on SQLite and on PostgreSQL.

    Empty, unless the test also asks for `migrated_engine` or `loaded_engine`:
    then it starts as a copy of a database already in that state.
    """
    wanted = request.fixturenames
    kind = (
        "loaded"
        if "loaded_engine" in wanted
        else "migrated"
        if "migrated_engine" in wanted
        else None
    )
    if request.param == "sqlite":
        path = tmp_path / "council.db"
        if kind:
            shutil.copyfile(_database_templates.sqlite_file(kind), path)
        url = f"sqlite:///{path}"
        _PREPARED.pop(url, None)
        if kind:
            _PREPARED[url] = kind
        yield url
        _PREPARED.pop(url, None)
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    template = _database_templates.postgres_database(server, kind) if kind else None
    _create_database(server, name, template)
    url = f"{server}/{name}"
    if kind:
        _PREPARED[url] = kind
    try:
        yield url
    finally:
        _PREPARED.pop(url, None)
        _drop_database(server, name)


@pytest.fixture
def demo_dir() -> Path:
    """The demo council's data files."""
    return DEMO_DIR


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with every migration applied (`heads`)."""
    if database_url not in _PREPARED:
        upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def loaded_engine(migrated_engine: Engine) -> Engine:
    """A migrated database holding the demo council's data."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    if _PREPARED.get(url) != "loaded":
        with session_scope(migrated_engine) as session:
            load_council_data(session, DEMO_DIR)
    return migrated_engine
