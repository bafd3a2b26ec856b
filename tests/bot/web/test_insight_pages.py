"""The insight dashboard over HTTP: supervisors only, the seeded figures, redacted exports."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
import yaml
from sanic import Sanic
from staff_browser import Browser

from bot.services.message_bus import InProcessBus
from bot.settings import Settings
from bot.web import create_staff_blueprint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "insight"))
from insight_seed import seed  # noqa: E402

PERIOD = "since=2026-11-02&until=2026-11-03"


@pytest.fixture
def insight_app(migrated_engine, database_url, accounts) -> Sanic:
    seed(migrated_engine)
    settings = Settings(
        staff_secure_cookies=False, database_url=database_url, tracker_database_url=database_url
    )
    app = Sanic(f"insight_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(create_staff_blueprint(migrated_engine, InProcessBus(), settings))
    return app


async def test_a_supervisor_sees_the_figures_and_charts(insight_app) -> None:
    sue = Browser(insight_app)
    await sue.sign_in("sue")
    page = await sue.get(f"/staff/insight?{PERIOD}")
    assert page.status == 200
    assert "<dt>Conversations</dt><dd>7</dd>" in page.text
    assert "3 (43%)" in page.text
    assert page.text.count('role="img"') == 4
    assert "median 4 minutes, 90% within 10 minutes" in page.text
    assert "£8.04" in page.text
    assert "07700 900123" not in page.text and "[phone]" in page.text


async def test_an_advisor_cannot_open_the_dashboard(insight_app) -> None:
    ann = Browser(insight_app)
    await ann.sign_in("ann")
    assert (await ann.get(f"/staff/insight?{PERIOD}")).status == 403
    assert (await ann.get(f"/staff/insight/unanswered.csv?{PERIOD}")).status == 403


async def test_the_dashboard_needs_a_signed_in_member_of_staff(insight_app) -> None:
    response = await Browser(insight_app).get("/staff/insight", follow_redirects=False)
    assert response.status == 303


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "since=2026-11-05&until=2026-11-01", "since=2020-01-01&until=2026-11-01"],
)
async def test_unreadable_or_unreasonable_periods_are_refused(insight_app, query) -> None:
    sue = Browser(insight_app)
    await sue.sign_in("sue")
    assert (await sue.get(f"/staff/insight?{query}")).status == 400


async def test_unanswered_questions_download_as_csv_and_nlu_yaml(insight_app) -> None:
    sue = Browser(insight_app)
    await sue.sign_in("sue")
    csv = await sue.get(f"/staff/insight/unanswered.csv?{PERIOD}")
    assert csv.status == 200 and "attachment" in csv.headers["content-disposition"]
    assert "can I get a dog licence at SW1A" in csv.text and "SW1A 1AA" not in csv.text
    nlu = yaml.safe_load((await sue.get(f"/staff/insight/unanswered.yml?{PERIOD}")).text)
    examples = "".join(item["examples"] for item in nlu["nlu"])
    assert "what is the weather" in examples
