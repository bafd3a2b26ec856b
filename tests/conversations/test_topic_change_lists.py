"""Genuine free-text answers and changes of topic (tests/conversations/topic_change_examples.yml)
read by the trained model in the running Rasa server, then judged by actions/topic_change.py
as each report form would: every answer kept, every change of topic caught.

The whole conversations, with replies and stored slots, are in test_topic_changes.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from actions.topic_change import is_another_request
from tests import rasa_api

pytestmark = pytest.mark.model

EXAMPLES = Path(__file__).with_name("topic_change_examples.yml")
REPORT_INTENTS = ("report_pothole", "report_street_light", "report_fly_tipping")


@lru_cache(maxsize=1)
def examples() -> dict[str, list[str]]:
    return yaml.safe_load(EXAMPLES.read_text(encoding="utf-8"))


def parse(assistant: Any, text: str) -> dict[str, Any]:
    response = requests.post(
        rasa_api.url(assistant.base_url, "/model/parse"), json={"text": text}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def judged(assistant: Any, text: str, own_intent: str) -> bool:
    parsed = parse(assistant, text)
    reference = any(e.get("entity") == "reference" for e in parsed.get("entities", []))
    return is_another_request(
        text, parsed["intent"]["name"], own_intent, float(parsed["intent"]["confidence"]), reference
    )


def test_the_lists_are_long_enough_and_do_not_overlap() -> None:
    found = examples()
    answers = found["genuine_answers"] + found["fresh_genuine_answers"]
    changes = found["topic_changes"] + found["fresh_topic_changes"]
    assert len(answers) >= 80 and len(changes) >= 80
    assert not set(answers) & set(changes)
    assert set(found["known_misses"]) <= set(changes)


def _changes() -> list[Any]:
    found = examples()
    return [
        pytest.param(
            text,
            marks=pytest.mark.xfail(
                reason="known miss: the classifier is unsure and no service is named", strict=True
            ),
        )
        if text in found["known_misses"]
        else text
        for text in found["topic_changes"] + found["fresh_topic_changes"]
    ]


@pytest.mark.parametrize(
    "text", examples()["genuine_answers"] + examples()["fresh_genuine_answers"]
)
def test_a_genuine_answer_is_kept_by_every_report_form(assistant: Any, text: str) -> None:
    taken = [own for own in REPORT_INTENTS if judged(assistant, text, own)]
    assert taken == [], f"taken for another request in {taken}"


@pytest.mark.parametrize("text", _changes())
def test_a_change_of_topic_is_caught_by_every_report_form(assistant: Any, text: str) -> None:
    missed = [own for own in REPORT_INTENTS if not judged(assistant, text, own)]
    assert missed == [], f"stored as an answer in {missed}"
