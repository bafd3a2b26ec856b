"""Frustration patterns (data/frustration_patterns.yml): angry or fed-up messages are found,
ordinary requests, reports and answers are not. Measured on the development set too."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.dialogue.frustration import compile_patterns, frustration_patterns, sounds_frustrated
from bot.settings import PROJECT_ROOT

ANGRY = [
    "this council is useless, nobody ever fixes anything",
    "you lot are absolutely useless",
    "this is a joke",
    "I'm sick of this",
    "I'm fed up with the council",
    "what a waste of time",
    "this bot is rubbish",
    "why does nobody ever listen",
    "absolutely pathetic service",
    "I am furious",
    "you never do anything",
    "the council is a disgrace",
    "this is a shambles",
    "I'm so angry right now",
    "useless",
    "Pathetic!",
    "waste of my council tax",
    "nobody cares",
    "I've been waiting weeks and nothing has happened",
    "you're a useless machine",
    "bloody useless",
    "I'm really annoyed",
    "this is beyond a joke",
    "why do I even pay council tax",
    "I give up",
    "this chat is pointless",
    "your service is terrible",
    "disgusting service",
    "I'm livid",
    "thanks for nothing",
    "no one ever gets back to me",
    "worst council in the country",
    "I\u2019m getting really frustrated",
    "had enough of chasing you",
]
NOT_ANGRY = [
    "there's rubbish dumped on Mill Lane",
    "it's rubbish bags and an old sofa",
    "the street light is out",
    "pothole outside 14 High Street, it's a danger",
    "it's been there for months",
    "when is my bin day",
    "any update on PH-473263",
    "how do I make a complaint",
    "I want to speak to a person",
    "my bin wasn't collected",
    "the light keeps flickering on and off",
    "about the size of a dinner plate, cars swerving round it",
    "it's by the bins at the back of the flats",
    "nothing else",
    "no thanks",
    "there's fly-tipping behind the joke shop",  # "joke" not about us
    "the council tax bill",
    "I'm moving house",
    "can you help me",
    "the black bin",
]


@pytest.mark.parametrize("text", ANGRY)
def test_an_angry_or_fed_up_message_is_found(text: str) -> None:
    assert sounds_frustrated(text)


@pytest.mark.parametrize("text", NOT_ANGRY)
def test_an_ordinary_message_is_not_taken_for_anger(text: str) -> None:
    assert not sounds_frustrated(text)


def test_the_patterns_file_builds_one_pattern_per_kind_and_phrase() -> None:
    raw = yaml.safe_load((PROJECT_ROOT / "data" / "frustration_patterns.yml").read_text())
    assert len(frustration_patterns()) == 4 + len(raw["phrases"])
    built = compile_patterns(
        {
            "who": ["you"],
            "judgements": ["a joke"],
            "intensifiers": ["so"],
            "what": ["council"],
            "alone": ["typical"],
            "phrases": [],
        }
    )
    assert any(p.search("you are so a joke") for p in built)
    assert not any(p.search("a joke shop") for p in built)


def test_few_messages_of_the_development_set_sound_angry() -> None:
    """Measured 2026-12-06: 1 of 1,201 development messages matches, and it is angry
    ("terrible service from the council, i'm complaining")."""
    found = []
    for path in sorted((PROJECT_ROOT / "tests" / "nlu" / "dev").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])
                if line.strip().startswith("- ") and sounds_frustrated(text):
                    found.append((block.get("intent"), text))
    assert [intent for intent, _ in found] in ([], ["make_complaint"]), found
