"""A database ready for the demo council: migrated, with content/demo-council loaded.

For the load benchmark's stack and for tests that start real servers; `make db` does the
same from the command line (`python -m bot db upgrade` then `python -m bot load-data`).
"""

from __future__ import annotations

from bot.db.migrate import upgrade
from bot.db.session import make_engine, session_scope
from bot.services.data_loader import load_council_data
from bot.settings import PROJECT_ROOT

DEMO_COUNCIL_DIR = PROJECT_ROOT / "content" / "demo-council"


def prepare_demo_database(database_url: str) -> None:
    """Migrate the database at `database_url` and load the demo council's data into it."""
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            load_council_data(session, DEMO_COUNCIL_DIR)
    finally:
        engine.dispose()
