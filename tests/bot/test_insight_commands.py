"""`python -m bot report`: the seeded figures as JSON and CSV, through the real command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "services" / "insight"))
from insight_seed import seed  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": str(PROJECT_ROOT),
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": database_url,
            "TRACKER_DATABASE_URL": database_url,
        },
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_prints_the_seeded_figures_as_json_and_csv(database_url, migrated_engine) -> None:
    seed(migrated_engine)
    as_json = _run(database_url, "report", "--since", "2026-11-02", "--until", "2026-11-03")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert (report["totals"]["conversations"], report["totals"]["contained"]) == (7, 3)
    assert len(report["unanswered_themes"]) == 3
    as_csv = _run(
        database_url, "report", "--since", "2026-11-02", "--until", "2026-11-03", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    total = {r["measure"]: r["value"] for r in rows if r["section"] == "total"}
    assert total["contained"] == "3" and total["contact_avoided_pounds"] == "8.04"
    assert {
        "section": "handoff_reason",
        "name": "homelessness",
        "measure": "count",
        "value": "1",
    } in rows


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_report_refuses_a_period_that_ends_before_it_starts(database_url, migrated_engine) -> None:
    result = _run(database_url, "report", "--since", "2026-11-05", "--until", "2026-11-01")
    assert result.returncode == 2
    assert "Choose a period" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_privacy_commands_find_erase_only_when_confirmed_and_retain(
    database_url, migrated_engine
) -> None:
    seed(migrated_engine)
    found = _run(database_url, "privacy", "access", "--conversation", "c4")
    assert json.loads(found.stdout)["handoff_tickets"][0]["reason"] == "asked for a person"
    unconfirmed = _run(database_url, "privacy", "erase", "--conversation", "c4")
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    erased = _run(database_url, "privacy", "erase", "--conversation", "c4", "--yes")
    assert json.loads(erased.stdout)["conversations"] == 1
    assert (
        json.loads(_run(database_url, "privacy", "access", "--conversation", "c4").stdout)[
            "conversations"
        ]
        == []
    )
    retained = _run(database_url, "privacy", "retain", "--days", "1")
    assert retained.returncode == 0 and "Removed the text of 7 conversations" in retained.stdout
