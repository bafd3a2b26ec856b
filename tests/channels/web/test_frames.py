"""Checking the browser's frames and session ids; shaping bot frames."""

from __future__ import annotations

import json
import uuid

import pytest

from channels.web.frames import (
    FrameError,
    bot_frame,
    is_end_of_chat,
    parse_client_frame,
    parse_session_id,
)


def frame(**fields: object) -> str:
    return json.dumps({"type": "message", **fields})


def test_a_browser_uuid_is_accepted_as_a_session_id() -> None:
    session = str(uuid.uuid4())
    assert parse_session_id(session) == session


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "abc",
        str(uuid.uuid4()).upper(),
        str(uuid.uuid4()).replace("-", ""),
        "../" + "a" * 33,
    ],
)
def test_anything_but_a_canonical_uuid_is_refused_as_a_session_id(raw: str | None) -> None:
    with pytest.raises(FrameError) as refused:
        parse_session_id(raw)
    assert refused.value.code == "bad_session"


def test_typed_text_is_trimmed_and_stripped_of_control_characters() -> None:
    message = parse_client_frame(frame(text="  bin\x00 day\x07  "))
    assert message.text == "bin day" and message.for_rasa == "bin day"


def test_a_button_press_sends_its_payload_to_rasa_and_shows_its_title() -> None:
    message = parse_client_frame(frame(text="Yes", payload="/affirm"))
    assert message.for_rasa == "/affirm" and message.text == "Yes"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"bytes", "bad_frame"),
        ("{", "bad_frame"),
        ('"text"', "bad_frame"),
        (json.dumps({"text": "no type"}), "bad_frame"),
        (frame(text=None), "bad_frame"),
        (frame(text="hi", payload=3), "bad_frame"),
        (frame(text="hi", payload="no slash"), "bad_frame"),
        (frame(text="hi", payload="/" + "a" * 300), "bad_frame"),
        (frame(text="\n\t "), "empty"),
        (frame(text="a" * 2001), "too_long"),
    ],
)
def test_a_malformed_frame_is_refused_with_its_reason(raw: object, code: str) -> None:
    with pytest.raises(FrameError) as refused:
        parse_client_frame(raw)  # type: ignore[arg-type]
    assert refused.value.code == code


def test_a_message_of_exactly_the_limit_is_accepted() -> None:
    assert len(parse_client_frame(frame(text="a" * 2000)).text) == 2000


def test_bot_frames_keep_only_button_titles_and_payloads() -> None:
    shaped = bot_frame(
        "Pick", [{"title": "Yes", "payload": "/affirm", "onclick": "x"}, {"payload": "/untitled"}]
    )
    assert shaped == {
        "type": "bot",
        "text": "Pick",
        "buttons": [{"title": "Yes", "payload": "/affirm"}],
    }


def test_only_the_end_frame_says_the_resident_ended_the_chat():
    assert is_end_of_chat('{"type": "end"}')
    for other in (
        '{"type": "message", "text": "end"}',
        "end",
        '["end"]',
        None,
        b'{"type":"end"}',
        '{"type": "end", "pad": "' + "x" * 5000 + '"}',
    ):
        assert not is_end_of_chat(other)
