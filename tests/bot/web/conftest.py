"""Fixtures for the staff application: a Sanic app with the staff blueprint on a migrated
database (SQLite and PostgreSQL, from tests/conftest.py), staff accounts and browsers."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sanic import Sanic
from staff_browser import PASSWORD, T0, Browser

from bot.content import Content, load_messages
from bot.council import get_council
from bot.db.session import session_scope
from bot.services.message_bus import InProcessBus
from bot.settings import Settings
from bot.web import create_staff_blueprint
from bot.web.auth import create_staff

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def handoff_content(tmp_path: Path) -> Content:
    """Only the handoff messages, so other areas' content cannot break these tests."""
    directory = tmp_path / "messages"
    directory.mkdir()
    shutil.copy(PROJECT_ROOT / "content" / "messages" / "handoff.yml", directory)
    return Content(load_messages(directory), get_council())


@pytest.fixture
def bus() -> InProcessBus:
    return InProcessBus()


@pytest.fixture
def staff_app(migrated_engine, bus, handoff_content) -> Sanic:
    app = Sanic(f"staff_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(
        create_staff_blueprint(
            migrated_engine, bus, Settings(staff_secure_cookies=False), content=handoff_content
        )
    )
    return app


@pytest.fixture
def accounts(migrated_engine) -> dict[str, int]:
    ids = {}
    with session_scope(migrated_engine) as session:
        for name, role in (("ann", "advisor"), ("bob", "advisor"), ("sue", "supervisor")):
            ids[name] = create_staff(session, name, role, PASSWORD, T0).id
    return ids


@pytest.fixture
def browser(staff_app):
    return lambda: Browser(staff_app)
