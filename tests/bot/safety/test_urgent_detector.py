"""Deciding what is urgent (bot/safety/detector.py): phrases win over the classifier, and
the classifier's own urgent guesses need confidence and a cue word.

The phrase files are the project's own (data/urgent/). The measured recall and false
alarms on sets written apart from them are in `make bench` (bot/bench/urgent.py)."""

from __future__ import annotations

import pytest

from bot.safety.detector import UrgentDetector, get_detector


@pytest.fixture(scope="module")
def detector() -> UrgentDetector:
    return get_detector()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # What testers sent that got the wrong answer, or none.
        ("I can't cope anymore and I want to end it all", "crisis_self_harm"),
        ("I'm thinking about killing myself", "crisis_self_harm"),
        ("I've taken a load of tablets", "crisis_self_harm"),
        ("nobody would miss me if I was gone", "crisis_self_harm"),
        ("my ex is outside the house threatening to hurt my kids", "domestic_abuse"),
        ("I need to get away from my abusive boyfriend", "domestic_abuse"),
        ("my partner hits me and I'm scared to go home", "domestic_abuse"),
        ("I can smell gas in my council flat", "emergency_danger"),
        ("the river is flooding into our houses", "emergency_danger"),
        ("I am homeless tonight", "homelessness"),
        # Misspelt, shorthand, shouted.
        ("im feelin sucidal", "crisis_self_harm"),
        ("cant cope n e more want 2 die", "crisis_self_harm"),
        ("my bf threatning to kill me", "domestic_abuse"),
        ("SMELL OF GAS IN THE STAIRWELL", "emergency_danger"),
        ("landlord chaged the locks, no where 2 sleep 2nite", "homelessness"),
        ("took 20 paracetamol", "crisis_self_harm"),
        # Mixed with another topic: the risk wins.
        ("when is my bin day, also my husband hit me last night", "domestic_abuse"),
        ("report a pothole, though honestly i want to end my life", "crisis_self_harm"),
    ],
)
def test_an_urgent_phrase_wins_whatever_the_classifier_said(
    detector: UrgentDetector, text: str, label: str
) -> None:
    decision = detector.decide(text, {})
    assert (decision.label, decision.by) == (label, "phrase")


@pytest.mark.parametrize(
    "text",
    [
        "which stocks have lost the least today",
        "how can i repair a broken watch",
        "create a pamphlet on albert einsteins childhood",
        "how do I kill a process in linux",
        "this traffic is killing me",
        "I'm dying to see the new film",
        "the gas bill is too high, how do I switch supplier",
        "best way to cut down a small tree in my garden",
        "my phone battery died",
        "how do I get kicked out of a discord server",
        "what is the flood fill algorithm",
        "how do landlords evict a tenant legally",
        "when is my bin day",
    ],
)
def test_unrelated_messages_match_no_urgent_phrase(detector: UrgentDetector, text: str) -> None:
    assert detector.phrase_labels(text) == []


CLASSIFIER_ONLY = "the landlord put the rent up again and we cant stay here much longer"


def test_a_classifier_guess_with_a_cue_word_stands(detector: UrgentDetector) -> None:
    assert detector.phrase_labels(CLASSIFIER_ONLY) == []
    decision = detector.decide(CLASSIFIER_ONLY, {"homelessness": 0.45})
    assert (decision.label, decision.by) == ("homelessness", "classifier")


def test_a_classifier_guess_below_the_threshold_is_not_urgent(detector: UrgentDetector) -> None:
    assert detector.decide(CLASSIFIER_ONLY, {"homelessness": 0.1}).label is None


def test_a_classifier_guess_without_a_cue_word_is_not_urgent(detector: UrgentDetector) -> None:
    decision = detector.decide("which stocks have lost the least today", {"homelessness": 0.65})
    assert decision.label is None


def test_a_sure_classifier_guess_stands_with_a_word_of_the_labels_examples(
    detector: UrgentDetector,
) -> None:
    text = "honestly i just want to disappear"
    assert detector.phrase_labels(text) == []
    assert "disappear" in detector.vocabulary.label_words["crisis_self_harm"]
    decision = detector.decide(text, {"crisis_self_harm": 0.75})
    assert (decision.label, decision.by) == ("crisis_self_harm", "classifier")


@pytest.mark.parametrize(
    ("text", "scores"),
    [
        # What the classifier's character n-grams made of these, in earlier models.
        ("create a pamphlet on albert einsteins childhood", {"safeguarding_concern": 0.8}),
        ("useless", {"homelessness": 0.69}),
        ("I'm livid", {"crisis_self_harm": 0.71}),
        ("which stocks have lost the least today", {"homelessness": 0.73}),
    ],
)
def test_a_sure_classifier_guess_without_a_word_of_the_label_is_not_urgent(
    detector: UrgentDetector, text: str, scores: dict[str, float]
) -> None:
    # Not as a label ranked below another, nor as the classifier's first choice.
    assert detector.decide(text, scores).label is None
    assert detector.decide(text, scores, top=next(iter(scores))).label is None


def test_the_classifiers_first_choice_needs_only_a_word_of_the_label(
    detector: UrgentDetector,
) -> None:
    text = "i need help tonight please"
    assert detector.phrase_labels(text) == []
    assert detector.decide(text, {"homelessness": 0.5}, top="homelessness").label == (
        "homelessness"
    )
    assert detector.decide(text, {"homelessness": 0.5}).label is None


def test_a_not_phrase_stops_even_a_very_sure_classifier_guess(detector: UrgentDetector) -> None:
    tea = "I could kill for a cup of tea"
    assert detector.decide(tea, {"crisis_self_harm": 0.97}).label is None
    assert detector.decide("this song slaps, it's fire", {"emergency_danger": 0.95}).label is None


def test_the_best_backed_classifier_guess_wins(detector: UrgentDetector) -> None:
    text = "he hurts me and i have to leave the flat tonight"
    decision = detector.decide(text, {"homelessness": 0.35, "domestic_abuse": 0.4})
    assert decision.label == "domestic_abuse"


def test_a_message_that_is_not_urgent_is_left_alone(detector: UrgentDetector) -> None:
    assert detector.decide("when is my bin day", {}).label is None


def test_the_classifier_breaks_a_tie_between_phrases(detector: UrgentDetector) -> None:
    text = "my partner hit me and kicked me out, i have nowhere to sleep tonight"
    assert set(detector.phrase_labels(text)) >= {"domestic_abuse", "homelessness"}
    assert detector.decide(text, {"homelessness": 0.7}).label == "homelessness"
    assert detector.decide(text, {}).label == "domestic_abuse"


def test_a_slip_in_an_everyday_word_is_not_read_as_a_phrase_word(
    detector: UrgentDetector,
) -> None:
    # "beater" is a word the assistant does not know, one letter from "beaten": only
    # misspellings of long words that are not words it knows are forgiven.
    assert detector.spelling.fix("threatning") == "threatening"
    assert detector.spelling.fix("council") == "council"
    assert detector.spelling.fix("hits") == "hits"
    # Nor a word that differs in its first letter: "vaping" is not "raping".
    assert detector.spelling.fix("vaping") == "vaping"
    assert detector.phrase_labels("is vaping safer than smoking") == []
