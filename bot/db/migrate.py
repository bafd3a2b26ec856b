"""Apply or remove the schema with Alembic (the only way the schema is made).

Other features add revisions branching from 0001_council_data, so upgrades go
to `heads` (every branch), never to a single `head`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at `url`, independent of the working directory."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # '%' is ConfigParser's interpolation character; passwords may contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` up to every latest revision (`alembic upgrade heads`)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        # SQLite makes the file but not its folder (var/ on a fresh checkout).
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "heads")


def downgrade_base(url: str) -> None:
    """Remove every table the migrations made (`alembic downgrade base`)."""
    command.downgrade(alembic_config(url), "base")
