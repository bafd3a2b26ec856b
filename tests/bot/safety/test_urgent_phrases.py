"""The urgent phrase language (bot/safety/patterns.py) and the project's phrase files
(data/urgent/), read as a council's safeguarding lead would write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.labels import URGENT_LABELS
from bot.safety.normalise import numbers_as_hash, plain_text
from bot.safety.patterns import (
    PATTERNS_DIR,
    PatternError,
    compile_phrase,
    load_label,
    load_patterns,
)


def _matches(phrase: str, text: str) -> bool:
    return compile_phrase(phrase).search(numbers_as_hash(plain_text(text))) is not None


def test_words_match_whole_words_in_order() -> None:
    assert _matches("smell gas", "I can SMELL gas!")
    assert not _matches("smell gas", "gas smell")
    assert not _matches("gas", "gasket broken")


def test_a_gap_allows_up_to_four_words_between() -> None:
    assert _matches("want .. die", "i want to just die")
    assert _matches("want .. die", "i want to just go and die")
    assert not _matches("want .. die", "i want to go out and see the film where they die")


def test_a_star_matches_any_ending() -> None:
    assert _matches("suicid*", "I feel suicidal")
    assert _matches("suicid*", "thoughts of suicide")
    assert not _matches("suicid*", "sui generis")


def test_choices_nest_and_an_empty_choice_is_optional() -> None:
    phrase = "(better|best) off (dead|if i (was|were) gone)"
    assert _matches(phrase, "they'd be better off if I were gone")
    assert _matches(phrase, "best off dead")
    assert not _matches(phrase, "better off if i am gone")
    assert _matches("take my (own|) life", "take my life") and _matches(
        "take my (own|) life", "take my own life"
    )


def test_a_hash_matches_any_number() -> None:
    assert _matches("took # tablets", "took 30 tablets")
    assert not _matches("took # tablets", "took some tablets")


def test_a_dollar_is_the_end_of_the_message() -> None:
    assert _matches("cant go on $", "I can't go on!")
    assert not _matches("cant go on $", "I can't go on the website")


def test_apostrophes_shorthand_and_repeated_letters_are_made_plain() -> None:
    assert plain_text("I can't cope n e more, u know") == " i cant cope anymore you know "
    assert plain_text("nooo where 2nite!!") == " noo where tonight "
    assert plain_text("I\u2019m scared") == " i am scared "


@pytest.mark.parametrize(
    "phrase", ["", "..", "kill ..", ".. kill", "(a|b", "a)", "(|)", "Kill Myself!", "a|b"]
)
def test_a_phrase_that_cannot_be_read_is_refused(phrase: str) -> None:
    with pytest.raises(PatternError):
        compile_phrase(phrase)


def test_a_file_for_a_label_that_is_not_urgent_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pest_control.yml"
    path.write_text("label: pest_control\nphrases: [rats]\n", encoding="utf-8")
    with pytest.raises(PatternError, match="not an urgent label"):
        load_label(path)


def test_a_label_without_phrases_is_refused(tmp_path: Path) -> None:
    for label in URGENT_LABELS:
        (tmp_path / f"{label}.yml").write_text(
            f"label: {label}\nphrases: [help me]\n", encoding="utf-8"
        )
    (tmp_path / "homelessness.yml").write_text("label: homelessness\n", encoding="utf-8")
    with pytest.raises(PatternError, match="no phrases"):
        load_patterns(tmp_path)


def test_every_urgent_label_has_a_phrase_file_that_loads() -> None:
    labels = load_patterns()
    assert [label.label for label in labels] == list(URGENT_LABELS)
    assert all(label.phrases and label.cues is not None for label in labels)
    assert (PATTERNS_DIR / "README.md").exists()
