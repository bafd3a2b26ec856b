"""One SMS-shaped reply per turn: numbered options, links kept, within 3 segments."""

from __future__ import annotations

from bot.services.sms_format import format_reply
from bot.services.sms_segments import count_segments, is_gsm7

INTRO = "Reply with a number:"
LINK = "https://www.oakbridge.gov.example/bins-and-recycling/collection-day"


def test_buttons_become_numbered_options() -> None:
    reply = format_reply(
        [
            {
                "text": "Which service?",
                "buttons": [
                    {"title": "Bins", "payload": "/bin_collection_day"},
                    {"title": "Council Tax", "payload": "/council_tax_pay"},
                ],
            }
        ],
        INTRO,
    )
    assert reply.text == "Which service?\n\nReply with a number:\n1: Bins\n2: Council Tax"
    assert [(o.number, o.payload) for o in reply.options] == [
        (1, "/bin_collection_day"),
        (2, "/council_tax_pay"),
    ]


def test_a_turns_messages_join_into_one_text_with_links_kept() -> None:
    reply = format_reply(
        [{"text": "Your next collection is Thursday 4 December."}, {"text": "More:", "link": LINK}],
        INTRO,
    )
    assert reply.text == f"Your next collection is Thursday 4 December.\n\nMore:\n{LINK}"
    assert reply.options == ()


def test_a_long_reply_is_cut_after_a_sentence_and_keeps_its_link_and_options() -> None:
    sentences = " ".join(f"Sentence number {i} says something useful." for i in range(40))
    reply = format_reply(
        [
            {"text": f"{sentences}\n{LINK}"},
            {"text": "Anything else?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        ],
        INTRO,
    )
    info = count_segments(reply.text)
    assert info.segments <= 3
    assert LINK in reply.text
    assert reply.text.endswith("Reply with a number:\n1: Yes")
    assert reply.text.startswith("Sentence number 0 says something useful.")
    prose = reply.text.split("\n\n")[0].split("\n")[0]
    assert prose.endswith("useful.")
    assert len(reply.text) > 300  # it uses the room it has


def test_curly_quotes_and_dashes_do_not_force_ucs2() -> None:
    reply = format_reply([{"text": "We’ll collect it – “on time”…"}], INTRO)
    assert reply.text == 'We\'ll collect it - "on time"...'
    assert is_gsm7(reply.text)


def test_a_long_welsh_reply_fits_three_ucs2_segments() -> None:
    text = " ".join("Diolch yn fawr, ŵyr bach." for _ in range(30))
    reply = format_reply([{"text": text}], INTRO)
    info = count_segments(reply.text)
    assert info.encoding == "UCS-2"
    assert info.segments == 3
    assert reply.text.endswith(".")


def test_one_endless_sentence_is_cut_at_a_word() -> None:
    reply = format_reply([{"text": "word " * 400}], INTRO)
    assert count_segments(reply.text).segments <= 3
    assert reply.text.endswith("word...")
