"""A text with urgent help may be longer than a usual reply (channels/sms/output.py): the
help, what happens next and a report kept for later all arrive; other replies keep to 3."""

from __future__ import annotations

from bot.content import get_content
from bot.services.sms_segments import count_segments
from channels.sms.output import MAX_SEGMENTS as USUAL
from channels.sms.output import URGENT_MAX_SEGMENTS, reply_for


def _message(key: str) -> dict[str, str]:
    rendered = get_content().render(key)
    return {"text": rendered.as_text()}


def test_a_turn_with_urgent_help_keeps_every_message_up_to_six_segments() -> None:
    turn = [
        _message("urgent_crisis_self_harm"),
        _message("form_paused_pothole_form"),
        {"text": "You're number 1 in the queue. A person will reply here."},
    ]
    reply = reply_for(turn)
    assert get_content().render("urgent_crisis_self_harm").text in reply.text
    assert get_content().text("form_paused_pothole_form") in reply.text
    assert "number 1 in the queue" in reply.text
    assert USUAL < count_segments(reply.text).segments <= URGENT_MAX_SEGMENTS


def test_an_ordinary_long_turn_is_still_cut_to_three_segments() -> None:
    long = {"text": "This is a sentence about bins. " * 40}
    assert count_segments(reply_for([long]).text).segments <= USUAL
