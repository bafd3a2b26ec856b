"""What the resident is told when handed to a person."""

from datetime import datetime, timedelta, timezone

from bot.clock import LONDON
from bot.content import Content, load_messages
from bot.council import get_council
from bot.db.session import session_scope
from bot.services import handoff
from bot.services.handoff import TranscriptTurn
from bot.services.handoff_notices import format_opening, format_wait, handoff_notice
from bot.settings import PROJECT_ROOT

TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def content(tmp_path) -> Content:
    directory = tmp_path / "messages"
    directory.mkdir()
    source = PROJECT_ROOT / "content" / "messages" / "handoff.yml"
    (directory / "handoff.yml").write_text(source.read_text())
    return Content(load_messages(directory), get_council())


def open_at(engine, conversation_id, at, topic="council_tax_pay"):
    with session_scope(engine) as session:
        turns = [TranscriptTurn("resident", "a person please", "request_human")]
        return handoff.open_ticket(
            session, conversation_id, "web", topic, "asked", None, turns, now=at
        ).id


def test_waits_read_as_residents_say_them():
    assert format_wait(timedelta(seconds=20)) == "less than a minute"
    assert format_wait(timedelta(minutes=1)) == "about 1 minute"
    assert format_wait(timedelta(minutes=12, seconds=20)) == "about 12 minutes"
    assert format_wait(timedelta(minutes=95)) == "about 2 hours"


def test_openings_read_as_today_tomorrow_or_a_date():
    assert format_opening(TUESDAY_10AM.replace(hour=9), TUESDAY_10AM.replace(hour=7)) == (
        "at 9am today"
    )
    assert format_opening(TUESDAY_10AM + timedelta(days=1), TUESDAY_10AM) == "at 10am tomorrow"
    assert format_opening(datetime(2026, 11, 30, 9, 30, tzinfo=LONDON), TUESDAY_10AM) == (
        "at 9:30am on Monday 30 November"
    )


def test_in_opening_hours_the_resident_hears_their_place_and_typical_wait(
    migrated_engine, tmp_path
):
    from bot.db.handoff import StaffAccount

    with session_scope(migrated_engine) as session:
        staff = StaffAccount(
            username="ann", role="advisor", password_hash="x", active=True,
            created_at=TUESDAY_10AM,
        )  # fmt: skip
        session.add(staff)
        session.flush()
        staff_id = staff.id
    earlier = open_at(migrated_engine, "earlier", TUESDAY_10AM - timedelta(minutes=30))
    with session_scope(migrated_engine) as session:
        handoff.claim(session, earlier, staff_id, TUESDAY_10AM - timedelta(minutes=24))
    open_at(migrated_engine, "ahead", TUESDAY_10AM - timedelta(minutes=2))
    mine = open_at(migrated_engine, "me", TUESDAY_10AM)
    with session_scope(migrated_engine) as session:
        text = handoff_notice(session, get_council(), content(tmp_path), mine, TUESDAY_10AM)
    assert text == (
        "I'm passing you to a member of staff. You're number 2 in the queue. "
        "Most people wait about 6 minutes."
    )


def test_out_of_hours_the_resident_hears_when_staff_are_back(migrated_engine, tmp_path):
    christmas_eve_evening = datetime(2026, 12, 24, 18, 0, tzinfo=LONDON)
    mine = open_at(migrated_engine, "me", christmas_eve_evening)
    with session_scope(migrated_engine) as session:
        text = handoff_notice(
            session, get_council(), content(tmp_path), mine, christmas_eve_evening
        )
    # 25 and 28 December are bank holidays; 26-27 are the weekend.
    assert "They're next available at 9am on Tuesday 29 December." in text
    assert get_council().phone in text


def test_with_no_recent_claims_the_wait_is_not_guessed(migrated_engine, tmp_path):
    mine = open_at(migrated_engine, "me", TUESDAY_10AM.astimezone(timezone.utc))
    with session_scope(migrated_engine) as session:
        text = handoff_notice(session, get_council(), content(tmp_path), mine, TUESDAY_10AM)
    assert text.endswith("We'll be with you as soon as we can.")


def test_every_handoff_message_renders_and_fits_in_two_texts(tmp_path):
    messages = content(tmp_path)
    values = {"position": 12, "wait": "about 45 minutes", "next_opening": "at 9am tomorrow"}
    keys = messages.keys()  # Content.keys(): the message names (Content is not a dict)
    assert "handoff_staff_available" in keys
    for key in keys:
        text = messages.text(key, **values)
        assert "{" not in text
        assert len(text) <= 320, key
