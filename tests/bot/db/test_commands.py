"""`python -m bot` database commands, run as a resident developer would run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, inspect, select

from bot.db.models import Address
from bot.db.session import make_engine, session_scope

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _bot(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_upgrade_load_and_downgrade_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new-folder' / 'council.db'}"
    assert _bot(url, "db", "upgrade").returncode == 0
    loaded = _bot(url, "load-data")
    assert loaded.returncode == 0, loaded.stderr
    assert "addresses: 294 inserted" in loaded.stdout
    again = _bot(url, "load-data")
    assert "addresses: 0 inserted, 0 updated, 294 unchanged" in again.stdout
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            assert session.scalar(select(func.count()).select_from(Address)) == 294
        assert _bot(url, "db", "downgrade-base").returncode == 0
        assert "addresses" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_bad_data_exits_with_an_error_naming_the_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "content" / "demo-council", data)
    rounds = data / "rounds.csv"
    rounds.write_text(rounds.read_text().replace("2026-01-05", "5 Jan", 1))
    assert _bot(url, "db", "upgrade").returncode == 0
    result = _bot(url, "load-data", str(data))
    assert result.returncode == 1
    assert "Nothing was imported" in result.stderr
    assert "rounds.csv line 2: first_collection '5 Jan' is not a date" in result.stderr


def test_no_command_prints_help_and_fails(tmp_path: Path) -> None:
    result = _bot(f"sqlite:///{tmp_path / 'council.db'}")
    assert result.returncode == 2 and "load-data" in result.stderr
