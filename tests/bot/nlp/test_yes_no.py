"""Reading yes or no from residents' own words, and which part of a summary a correction
names. A message the classifier read as `affirm` at 0.86 ("that isn't right") must read no."""

from __future__ import annotations

import pytest

from bot.nlp.corrections import BIN, DETAILS, HOUSE, POSTCODE, SIZE, STREET, parts_named
from bot.nlp.yes_no import read_answer, read_yes_no

PLAIN_YES = [
    "yes",
    "Yes.",
    "YES",
    "yes!!!",
    "yep",
    "yup",
    "yeah",
    "yea",
    "ya",
    "aye",
    "y",
    "ok",
    "OK",
    "okay",
    "k",
    "sure",
    "sure thing",
    "yes please",
    "Yes please!",
    "yes, send it",
    "send it",
    "send it please",
    "ok send it!",
    "go ahead",
    "go on then",
    "go for it",
    "please do",
    "do it",
    "that's right",
    "thats right",
    "that’s right",
    "that is right",
    "that's correct",
    "correct",
    "yes that's all correct",
    "yes it is",
    "it is",
    "right",
    "alright",
    "all good",
    "looks good",
    "looks good to me",
    "sounds good",
    "perfect thanks",
    "lovely, thank you",
    "spot on",
    "brilliant",
    "fine",
    "that's fine",
    "absolutely",
    "definitely",
    "of course",
    "certainly",
    "exactly",
    "confirm",
    "yes I do",
    "I do",
    "yeah go on",
    "yep that's it",
    "yes mate",
    "ok thanks",
    "cheers, send it",
    "yes please send the report",
    "no problem, send it",
    "no worries, go ahead",
    "no changes, send it",
    "no changes needed thanks",
    "why not",
    "it did",
    "it helped",
    "yes that helped",
    "Yes please 😊",
    "yes thx",
    "I'm happy with that",
    "yes it was",
    "👍",
    "👍🏽",
    "👌",
    "✅",
    "✔️",
    "yep 👍",
    "/affirm",
]
PLAIN_NO = [
    "no",
    "No.",
    "NO",
    "nope",
    "nah",
    "nah mate",
    "n",
    "no thanks",
    "no thank you",
    "wrong",
    "Wrong.",
    "that's wrong",
    "no that's wrong",
    "no, that's wrong",
    "false",
    "incorrect",
    "that's incorrect",
    "not right",
    "no it isn't",
    "negative",
    "no way",
    "don't send it",
    "dont send it",
    "do not send it",
    "please don't",
    "never",
    "I don't want them",
    "no I don't want texts",
    "change it",
    "I want to change it",
    "correct it please",
    "start again",
    "👎",
    "❌",
    "/deny",
]
NEGATED_YES = [
    "that isn't right",
    "that isnt right",
    "that isn’t right",
    "that's not right",
    "thats not correct",
    "not correct",
    "not quite",
    "not quite right",
    "not really",
    "that ain't right",
    "that is most definitely false",
    "absolutely not",
    "definitely not",
    "of course not",
    "not at all",
    "it isn't correct",
    "that's not true",
    "no, not ok",
    "it did not help",
    "it didn't help",
    "that didn't help at all",
    "that doesn't look right",
    "not good",
    "yes no",
    "yes, that's wrong",
    "yes but the address is wrong",
    "the address is wrong",
    "wrong street",
    "the size is wrong",
    "description is wrong",
    "wrong bin",
    "the postcode isn't right",
    "the house number is wrong",
    "I can't say yes",
    "not happy with that",
    "no that's all right",
]
SARCASTIC = [
    "yeah right",
    "Yeah right.",
    "yea right",
    "as if",
    "yeah, as if",
    "in your dreams",
    "you wish",
    "dream on",
    "fat chance",
    "like hell",
    "hardly",
    "oh sure",
]
UNCLEAR = [
    "",
    "   ",
    "hmm",
    "hmm yes",
    "um",
    "maybe",
    "perhaps",
    "not sure",
    "I'm not sure",
    "no idea",
    "I don't know",
    "dunno",
    "I think so",
    "I guess",
    "probably",
    "whatever",
    "it's out",
    "the blue bin",
    "ok Mill Lane",
    "yes it's OB2 5JQ",
    "yes?",
    "ok?",
    "what?",
    "why do you need that",
    "actually",
    "yes but",
    "wait",
    "hang on",
    "actually it's on Mill Lane",
    "nothing wrong",
    "not wrong",
    "isn't false",
    "I don't mind",
    "please",
    "thanks",
    "stop",
    "the pothole is huge",
    "😊",
    "🙏",
    "yes " + "really " * 40,
]


@pytest.mark.parametrize("text", PLAIN_YES)
def test_a_plain_yes_reads_yes(text):
    assert read_yes_no(text) == "yes"


@pytest.mark.parametrize("text", PLAIN_NO)
def test_a_plain_no_reads_no(text):
    assert read_yes_no(text) == "no"


@pytest.mark.parametrize("text", NEGATED_YES)
def test_a_negated_or_corrected_yes_reads_no(text):
    assert read_yes_no(text) == "no"


@pytest.mark.parametrize("text", SARCASTIC)
def test_sarcasm_reads_no(text):
    assert read_yes_no(text) == "no"


@pytest.mark.parametrize("text", UNCLEAR)
def test_doubt_questions_and_other_words_read_unclear(text):
    assert read_yes_no(text) == "unclear"


def test_there_are_enough_cases_of_each_kind():
    assert len(PLAIN_YES) >= 60 and len(PLAIN_NO + NEGATED_YES + SARCASTIC) >= 60
    assert len(UNCLEAR) >= 30


def test_the_classifier_can_take_a_yes_away_but_never_make_one():
    # The tester's messages: affirm at 0.86 and 0.91.
    assert read_answer("that isn't right", "affirm") == "no"
    assert read_answer("that is most definitely false", "affirm") == "no"
    assert read_answer("it's out", "affirm") == "unclear"
    assert read_answer("it is the lamp post", "affirm") == "unclear"
    assert read_answer("yes", "deny") == "unclear"
    assert read_answer("yes", "affirm") == "yes" and read_answer("yes", "thank") == "yes"
    assert read_answer("no", "affirm") == "no"
    # A tapped button is the answer whatever the classifier made of it.
    assert read_answer("/affirm", "deny") == "yes" and read_answer("/deny", "affirm") == "no"


def test_symbols_alone_can_be_refused_where_words_are_needed():
    assert read_yes_no("👍", symbols=False) == "unclear"
    assert read_yes_no("👍👍", symbols=False) == "unclear"
    assert read_yes_no("yes 👍", symbols=False) == "yes"
    assert read_answer("/affirm", symbols=False) == "yes"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("the address is wrong", {STREET}),
        ("wrong street", {STREET}),
        ("that's the wrong road", {STREET}),
        ("the postcode is wrong", {POSTCODE}),
        ("wrong house number", {HOUSE}),
        ("wrong bin", {BIN}),
        ("it wasn't the black bin", {BIN}),
        ("the size is wrong", {SIZE}),
        ("it's not that big", {SIZE}),
        ("description is wrong", {DETAILS}),
        ("the details aren't right", {DETAILS}),
        ("the address and the size are wrong", {STREET, SIZE}),
        ("change the address", {STREET}),
        ("that isn't right", set()),
        ("no", set()),
    ],
)
def test_the_part_a_correction_names(text, parts):
    assert parts_named(text) == parts
