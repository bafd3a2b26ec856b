"""The phrase language's long gap, word endings and shared exclusions, the forgiving of
dropped g's, and the families of wording added with development set 3 (data/urgent/),
each read on sentences written for this test, not taken from any safety set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.detector import UrgentDetector, get_detector
from bot.safety.labels import URGENT_LABELS
from bot.safety.normalise import numbers_as_hash, plain_text
from bot.safety.patterns import PatternError, compile_phrase, load_patterns
from bot.safety.spelling import SpellingFixer


def _matches(phrase: str, text: str) -> bool:
    return compile_phrase(phrase).search(numbers_as_hash(plain_text(text))) is not None


@pytest.fixture(scope="module")
def detector() -> UrgentDetector:
    return get_detector()


def test_a_long_gap_allows_up_to_eight_words_between() -> None:
    phrase = "ceiling ... come down"
    assert _matches(phrase, "the ceiling in the back bedroom has just come down")
    assert _matches(phrase, "ceiling one two three four five six seven eight come down")
    assert not _matches(phrase, "ceiling one two three four five six seven eight nine come down")
    # A short gap still stops at four.
    assert not _matches("ceiling .. come down", "the ceiling in the bedroom has just come down")


@pytest.mark.parametrize("phrase", ["...", "kill ...", "... kill"])
def test_a_long_gap_needs_a_word_each_side(phrase: str) -> None:
    with pytest.raises(PatternError):
        compile_phrase(phrase)


def test_a_word_also_matches_with_an_s_on_the_end() -> None:
    # Apostrophes are dropped: "the river's rising" is "the rivers rising".
    assert _matches("river .. rising", "the river's rising")
    assert _matches("drain cover .. missing", "drain cover's missing")
    assert not _matches("river .. rising", "the riverside is rising")
    # A word already ending in s is left as it is.
    assert not _matches("its", "itss")


def _write_labels(directory: Path) -> None:
    for label in URGENT_LABELS:
        (directory / f"{label}.yml").write_text(
            f"label: {label}\nphrases: [help me]\nnot: [help me up]\n", encoding="utf-8"
        )


def test_every_label_file_adds_its_exclusions_to_every_label(tmp_path: Path) -> None:
    _write_labels(tmp_path)
    plain = " can you help me with my crossword "
    assert all(label.matches(plain) for label in load_patterns(tmp_path))
    (tmp_path / "every_label.yml").write_text(
        "not: [help me with]\nnot_when: [crossword]\n", encoding="utf-8"
    )
    labels = load_patterns(tmp_path)
    assert [label.label for label in labels] == list(URGENT_LABELS)
    assert not any(label.matches(plain) for label in labels)
    # `not` cancels only what it covers; `not_when` the whole message.
    assert all(label.matches(" help me with this please help me ") for label in labels)
    assert not any(label.matches(" help me please help me crossword ") for label in labels)
    # A label's own `not` still counts.
    assert not any(label.matches(" help me up ") for label in labels)


def test_every_label_file_holds_only_exclusions(tmp_path: Path) -> None:
    _write_labels(tmp_path)
    (tmp_path / "every_label.yml").write_text("phrases: [help]\n", encoding="utf-8")
    with pytest.raises(PatternError, match="only `not` and `not_when`"):
        load_patterns(tmp_path)


def test_a_dropped_g_is_put_back_only_for_a_known_word() -> None:
    fixer = SpellingFixer(["sleeping"], known=["thinking"])
    assert fixer.fix("sleepin") == "sleeping"
    assert fixer.fix("thinkin") == "thinking"
    assert fixer.fix("cousin") == "cousin"  # "cousing" is not a word the assistant knows
    assert fixer.fix("robin") == "robin"


def test_a_word_of_the_exclusions_is_not_read_as_a_slip(detector: UrgentDetector) -> None:
    # "served" is a phrase word (a section 21 served); "server" is a word of a `not` phrase.
    assert "served" in {w for label in detector.patterns for w in label.words}
    assert " server " in detector.plain("kicked off the discord server")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Amounts, places and means: said without the words "suicide" or "kill myself".
        ("I've swallowed about 40 of the sleeping tablets", "crisis_self_harm"),
        ("sat on the train tracks behind the retail park", "crisis_self_harm"),
        ("the voices keep telling me to jump", "crisis_self_harm"),
        ("I've lost the will to keep going", "crisis_self_harm"),
        ("i just want it all to be over now", "crisis_self_harm"),
        ("I'm not gonna b around after the weekend", "crisis_self_harm"),
        # Abuse said through what was done.
        ("he had his hands round my throat last night", "domestic_abuse"),
        ("my family are pressuring me into marrying my cousin", "domestic_abuse"),
        ("my ex is stalking me again", "domestic_abuse"),
        ("she hides my insulin when she's angry", "domestic_abuse"),
        # Danger said with a clause between.
        ("the kitchen ceiling at my mum's old house has just come down", "emergency_danger"),
        ("the river's rising fast and already in the back gardens", "emergency_danger"),
        ("someone has stolen the manhole cover outside the school", "emergency_danger"),
        ("the lamp post wires in the park are sparking", "emergency_danger"),
        # Someone else at risk.
        ("the old lady at number 4 has had no food or heating for days", "safeguarding_concern"),
        ("her milk bottles are piling up on the step", "safeguarding_concern"),
        ("my brother says he is going to end his life", "safeguarding_concern"),
        ("the boy downstairs keeps asking me for food", "safeguarding_concern"),
        # Homeless, or soon.
        ("no where for me and the baby to go tonight", "homelessness"),
        ("been dossing in the multi storey since friday", "homelessness"),
        ("my landlord wants us out by sunday", "homelessness"),
        ("they served us a section 21 last month", "homelessness"),
    ],
)
def test_families_of_wording_are_heard(detector: UrgentDetector, text: str, label: str) -> None:
    assert label in detector.phrase_labels(text)
    assert detector.decide(text, {}).label is not None


@pytest.mark.parametrize(
    ("text", "scores"),
    [
        # Sharing the words of urgent phrases, about something else.
        ("what's a seven letter word for homeless in the crossword", {"homelessness": 0.8}),
        (
            "I'm doing a sponsored walk to raise money for a domestic abuse charity",
            {"domestic_abuse": 0.8},
        ),
        ("my essay on child neglect in Dickens is due friday", {"safeguarding_concern": 0.8}),
        ("I'd like a job as a safeguarding officer", {"safeguarding_concern": 0.8}),
        ("my teacher will kill me if I forget my PE kit", {"crisis_self_harm": 0.8}),
        ("we were stuck in the lift at the cinema for five minutes", {"emergency_danger": 0.8}),
        ("my grandson hit a six at the village match", {"safeguarding_concern": 0.8}),
        (
            "my little girl banged her head on the coffee table, should I worry",
            {"safeguarding_concern": 0.8},
        ),
        ("is my landlord allowed to put the rent up in winter", {"homelessness": 0.8}),
        ("the football pitch is flooded so the game is off", {"emergency_danger": 0.8}),
        ("my wife drives me up the wall with her singing", {"domestic_abuse": 0.9}),
        ("this hangover is killing me, I'm dying", {"crisis_self_harm": 0.8}),
        ("why does natural gas smell like eggs", {"emergency_danger": 0.8}),
        ("is the price of gas going up again", {"emergency_danger": 0.8}),
        ("what age can a child stay home alone", {"safeguarding_concern": 0.8}),
        ("is it safe to sleep in my car at the services on a long drive", {"homelessness": 0.8}),
    ],
)
def test_hard_negatives_are_not_urgent(
    detector: UrgentDetector, text: str, scores: dict[str, float]
) -> None:
    label = next(iter(scores))
    assert detector.decide(text, scores, top=label).label is None


def test_everyday_advice_words_silence_only_the_classifiers_own_guess(
    detector: UrgentDetector,
) -> None:
    advice = "my toddler won't eat green things, should I worry"
    sure = {"safeguarding_concern": 0.9}
    assert detector.decide(advice, sure, top="safeguarding_concern").label is None
    # A phrase elsewhere in the message still wins.
    at_risk = "should I worry? my brother says he wants to end his life"
    assert detector.decide(at_risk, {}).label == "safeguarding_concern"
    # "Is that normal?" is asked by people being abused: the classifier is still heard.
    asked = "my boyfriend gets angry if I see my sister without him, is that normal"
    assert detector.decide(asked, {"domestic_abuse": 0.6}, top="domestic_abuse").label == (
        "domestic_abuse"
    )
