"""The RulePolicy's search for the rules that fit a conversation, without Rasa's overhead."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def _reversed_rule(rule_key: str) -> tuple[dict[str, Any], ...]:
    """A rule's states, latest first (Rasa parses and reverses the key per check)."""
    return tuple(reversed(json.loads(rule_key)))


def possible_rule_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
    """RulePolicy._get_possible_keys: the rules whose every state, latest first, fits the
    conversation's state at the same turn back. Rasa re-filters the whole set once per turn
    of the conversation, through a method call per rule and turn; here each rule is checked
    turn by turn, by the same tests, until it fails."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    latest_first = list(reversed(states))
    previous = [state.get(PREVIOUS_ACTION) for state in latest_first]
    matches = self._does_rule_match_state
    found = set()
    for key in lookup:
        rule = _reversed_rule(key)
        for turn in range(min(len(rule), len(latest_first))):
            rule_previous = rule[turn].get(PREVIOUS_ACTION)
            if not rule_previous and not previous[turn]:
                continue  # both start a conversation
            if not rule_previous or not previous[turn]:
                break  # one starts a conversation, the other does not
            if not matches(rule[turn], latest_first[turn]):
                break
        else:
            found.add(key)
    return found
