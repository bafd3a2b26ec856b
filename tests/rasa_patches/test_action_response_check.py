"""The split check of action server responses gives the verdict of Rasa's full schema, and
accepts the responses our actions really send (else it would save nothing)."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from rasa_patches.action_responses import _action_response_validator, _surely_valid

ENTITY = {
    "start": 0,
    "end": 7,
    "entity": "postcode",
    "value": "OB2 5JQ",
    "confidence": 1.0,
    "extractor": "SpacyEntityExtractor",
    "role": None,
    "group": None,
}
VALID: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "timestamp": None, "name": "postcode", "value": "OB2 5JQ"},
            {"event": "slot", "name": "requested_slot", "value": None},
            {"event": "active_loop", "name": None, "timestamp": None},
        ],
        "responses": [
            {
                "text": "Your next collections are on Monday.",
                "buttons": [{"title": "Yes", "payload": "/affirm"}],
            }
        ],
    },
    {
        "events": [
            {
                "event": "user",
                "text": "hi",
                "parse_data": {
                    "intent": {"name": "greet", "confidence": 0.9},
                    "entities": [ENTITY],
                    "intent_ranking": [{"name": "greet", "confidence": 0.9}],
                },
                "input_channel": "sms",
            },
            {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
            {"event": "bot", "text": "Hello", "data": {}, "metadata": {}},
            {"event": "followup", "name": "action_bin_day"},
            {"event": "reset_slots"},
            {"event": "restart"},
            {"event": "session_started"},
            {"event": "entities", "entities": [ENTITY]},
            {"event": "form", "name": "missed_bin_form"},
            {"event": "rewind"},
        ],
        "responses": [{"text": "a"}, {"custom": {"handoff": True}}],
    },
]
FIELDS = [
    "event",
    "name",
    "value",
    "text",
    "timestamp",
    "metadata",
    "entities",
    "parse_data",
    "policy",
    "confidence",
    "start",
    "entity",
    "intent",
    "responses",
    "events",
]
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    1.5,
    -3,
    "",
    "slot",
    "user",
    "no_such_event",
    [],
    {},
    [1],
    {"a": 1},
    [ENTITY],
    ["x"],
]


def _mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """One random change somewhere inside `value`: a field removed, added or replaced."""
    if isinstance(value, dict) and value and (depth < 4 and rng.random() < 0.6):
        key = rng.choice(list(value))
        return {**value, key: _mutate(value[key], rng, depth + 1)}
    if isinstance(value, list) and value and (depth < 4 and rng.random() < 0.6):
        index = rng.randrange(len(value))
        return value[:index] + [_mutate(value[index], rng, depth + 1)] + value[index + 1 :]
    if isinstance(value, dict):
        changed = dict(value)
        if changed and rng.random() < 0.3:
            del changed[rng.choice(list(changed))]
        else:
            changed[rng.choice(FIELDS)] = rng.choice(ODD_VALUES)
        return changed
    if isinstance(value, list) and rng.random() < 0.5:
        return value + [rng.choice(ODD_VALUES)]
    return rng.choice(ODD_VALUES)


def _cases(count: int) -> list[Any]:
    rng = random.Random(2026)
    cases: list[Any] = list(copy.deepcopy(VALID))
    while len(cases) < count:
        case = rng.choice(VALID)
        for _ in range(rng.randint(1, 3)):
            case = _mutate(case, rng)
        cases.append(case)
    return cases


@pytest.mark.parametrize("response", VALID)
def test_responses_our_actions_send_are_accepted_by_the_split_check(response: dict) -> None:
    assert _action_response_validator().is_valid(response)
    assert _surely_valid(response)


def test_the_split_check_gives_the_full_schemas_verdict() -> None:
    full = _action_response_validator()
    verdicts = {"accepted": 0, "refused": 0}
    for case in _cases(4_000):
        verdict = full.is_valid(case)
        # Never accepting what the full schema refuses is what matters; in fact they agree.
        assert _surely_valid(case) == verdict, case
        verdicts["accepted" if verdict else "refused"] += 1
    # The random cases must reach both verdicts often, or the comparison proves little.
    assert min(verdicts.values()) > 1_000, verdicts


def test_a_refused_response_raises_the_full_schemas_error() -> None:
    action = RemoteAction("action_bin_day", None)
    bad = {"events": [{"event": "slot", "value": 1}]}  # a slot event needs its name
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result(bad)
    from jsonschema import exceptions

    expected = exceptions.best_match(_action_response_validator().iter_errors(bad))
    assert raised.value.message.startswith(expected.message)
