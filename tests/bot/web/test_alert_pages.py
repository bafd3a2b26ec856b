"""Publishing a service alert from the staff app: supervisors only, a preview with the number
of subscribers it reaches, then one text to each subscriber in the area."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sanic import Sanic
from sqlalchemy import select
from staff_browser import Browser

from bot.clock import LONDON
from bot.db import sms as sms_store
from bot.db.handoff import AuditEntry
from bot.db.session import session_scope
from bot.privacy import hash_identifier
from bot.services.alerts import active_alerts_for
from bot.services.message_bus import InProcessBus
from bot.services.notification_subscriptions import subscribe
from bot.settings import Settings
from bot.web import create_staff_blueprint

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=LONDON)
MON_A = {"100090000001": "+447700900301", "100090000022": "+447700900302"}
ELSEWHERE = {"100090000050": "+447700900303"}  # OB1 2FD, round MON-B
ALERT = {
    "message": "No collections on round MON-A today because of snow. Leave your bins out.",
    "areas": "round:MON-A", "topics": "bins",
    "starts_at": "2026-11-24T07:00", "ends_at": "2026-11-24T19:00",
}  # fmt: skip


@pytest.fixture
def alerts_app(loaded_engine, database_url, accounts) -> Sanic:
    with session_scope(loaded_engine) as session:
        for uprn, number in {**MON_A, **ELSEWHERE}.items():
            subscribe(
                session,
                contact_kind="sms",
                contact=number,
                uprn=uprn,
                channel="sms",
                wording="Bin texts and alerts.",
                now=NOW - timedelta(days=1),
            )
    settings = Settings(staff_secure_cookies=False, database_url=database_url)
    app = Sanic(f"alerts_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(
        create_staff_blueprint(loaded_engine, InProcessBus(), settings, clock=lambda: NOW)
    )
    return app


def _texts(engine, number: str) -> list:
    return sms_store.outbound_for(engine, hash_identifier(number))


async def test_a_supervisor_previews_the_reach_then_publishes_to_that_area_only(
    alerts_app, loaded_engine
) -> None:
    sue = Browser(alerts_app)
    await sue.sign_in("sue")
    assert (await sue.get("/staff/alerts")).status == 200
    preview = await sue.post("/staff/alerts/preview", ALERT)
    assert preview.status == 200
    assert "This alert will be sent to 2 subscribers" in preview.text
    assert not _texts(loaded_engine, MON_A["100090000001"])  # nothing before confirming
    published = await sue.post("/staff/alerts/publish", ALERT, follow_redirects=False)
    assert published.status == 303 and published.headers["location"] == "/staff/alerts?sent=2"
    for number in MON_A.values():
        texts = _texts(loaded_engine, number)
        assert len(texts) == 1 and "because of snow" in texts[0].body
    assert _texts(loaded_engine, ELSEWHERE["100090000050"]) == []
    with session_scope(loaded_engine) as session:
        assert len(active_alerts_for(session, "100090000001", "bins", NOW)) == 1
        actions = session.scalars(select(AuditEntry.action)).all()
        assert "alert_published" in actions
    page = await sue.get("/staff/alerts?sent=2")
    assert "Sent to 2 subscribers" in page.text and "round:MON-A" in page.text


async def test_an_advisor_cannot_publish(alerts_app, loaded_engine) -> None:
    ann = Browser(alerts_app)
    await ann.sign_in("ann")
    assert (await ann.get("/staff/alerts")).status == 403
    assert (await ann.post("/staff/alerts/publish", ALERT)).status == 403
    assert _texts(loaded_engine, MON_A["100090000001"]) == []


async def test_publishing_needs_the_csrf_token(alerts_app, loaded_engine) -> None:
    sue = Browser(alerts_app)
    await sue.sign_in("sue")
    assert (await sue.post("/staff/alerts/publish", ALERT, csrf=False)).status == 403
    assert _texts(loaded_engine, MON_A["100090000001"]) == []


@pytest.mark.parametrize(
    ("change", "problem", "field"),
    [
        ({"areas": "round:NOPE"}, "no collection round called NOPE", "areas"),
        ({"areas": "the high street"}, "is not a postcode district", "areas"),
        ({"message": "  "}, "Write what happened", "message"),
        ({"ends_at": "2026-11-24T06:00"}, "The end must be after the start", "ends_at"),
        ({"starts_at": "soon"}, "Enter the start as a date and time", "starts_at"),
        ({"topics": "weather"}, "Choose at least one topic", "topic-bins"),
    ],
)
async def test_a_bad_alert_is_shown_again_with_what_to_fix(
    alerts_app, loaded_engine, change, problem, field
) -> None:
    sue = Browser(alerts_app)
    await sue.sign_in("sue")
    page = await sue.post("/staff/alerts/preview", {**ALERT, **change})
    assert page.status == 400 and problem in page.text
    # The error summary links to the field, which says what is wrong (GOV.UK pattern).
    assert f'<li><a href="#{field}">' in page.text
    assert f'aria-describedby="{field}-error" aria-invalid="true"' in page.text
    assert (await sue.post("/staff/alerts/publish", {**ALERT, **change})).status == 400
    assert _texts(loaded_engine, MON_A["100090000001"]) == []
