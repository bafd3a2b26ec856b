"""The rules found for a conversation are exactly those Rasa's RulePolicy finds."""

from __future__ import annotations

import json
import random
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

import rasa_patches
from rasa_patches.rules import possible_rule_keys

INTENTS = ["greet", "goodbye", "affirm", "bin_collection_day", "inform"]
ACTIONS = ["action_listen", "utter_greet", "action_bin_day", "bin_day_form"]
SLOTS = ["postcode", "house_number", "requested_slot"]


def _state(rng: random.Random, start: bool = False) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if not start:
        state["prev_action"] = {"action_name": rng.choice(ACTIONS)}
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.4:
        state["active_loop"] = {"name": rng.choice(["bin_day_form", SHOULD_NOT_BE_SET])}
    if rng.random() < 0.5:
        state["slots"] = {
            slot: rng.choice([(1.0,), (0.0,), SHOULD_NOT_BE_SET])
            for slot in rng.sample(SLOTS, rng.randint(1, 2))
        }
    return state


def _conversation(rng: random.Random) -> list[dict[str, Any]]:
    length = rng.randint(1, 6)
    return [_state(rng, start=(i == 0 and rng.random() < 0.5)) for i in range(length)]


def _loosened(state: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A rule state a conversation state may match: some of its features left out."""
    kept = {
        kind: dict(features)
        for kind, features in state.items()
        if kind == "prev_action" or rng.random() < 0.7
    }
    return kept


def _lookup(rng: random.Random, conversations: list[list[dict[str, Any]]]) -> dict[str, str]:
    keys = set()
    for _ in range(150):  # rules made from the end of real-looking conversations
        conversation = rng.choice(conversations)
        tail = conversation[-rng.randint(1, len(conversation)) :]
        keys.add(json.dumps([_loosened(state, rng) for state in tail]))
    for _ in range(100):  # and unrelated ones
        keys.add(json.dumps(_conversation(rng)))
    return {key: rng.choice(ACTIONS) for key in keys}


def test_the_rules_found_are_exactly_rasas() -> None:
    rng = random.Random(11)
    policy = RulePolicy.__new__(RulePolicy)  # the lookup methods use no other state
    conversations = [_conversation(rng) for _ in range(300)]
    lookup = _lookup(rng, conversations)
    found_some = 0
    for conversation in conversations + [_conversation(rng) for _ in range(300)] + [[]]:
        ours = possible_rule_keys(policy, lookup, conversation)
        assert ours == rasa_patches.RASA_POSSIBLE_KEYS(policy, lookup, conversation)
        found_some += bool(ours)
    assert found_some > 150  # the comparison covers conversations that rules fit

    # Training removes rules from a lookup it has already searched: still the same answer.
    for key in list(lookup)[::3]:
        del lookup[key]
    for conversation in conversations[:100]:
        assert possible_rule_keys(policy, lookup, conversation) == (
            rasa_patches.RASA_POSSIBLE_KEYS(policy, lookup, conversation)
        )


def test_the_policy_uses_it() -> None:
    assert RulePolicy._get_possible_keys is possible_rule_keys
