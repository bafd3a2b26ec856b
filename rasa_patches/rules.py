"""The RulePolicy's search for the rules that fit a conversation, without Rasa's overhead.

Rasa filters every rule once per turn of the conversation, through a method call (and a
list reversed) per rule and turn. Here the rules are grouped once by the previous action in
their latest state; only the groups whose previous action fits the conversation's latest
one are checked, each rule turn by turn by Rasa's own tests until one fails.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy

PREVIOUS_ACTION = "prev_action"  # rasa.shared.core.constants.PREVIOUS_ACTION

# Per rules lookup (by id, kept alive here so that the id is not reused, and its size, as
# training removes rules from a lookup): its rules grouped by the previous action in their
# latest state (None: none there, or an empty rule).
_GROUPS: dict[int, tuple[dict[str, str], int, dict[Any, list[str]]]] = {}


@lru_cache(maxsize=4096)
def _reversed_rule(rule_key: str) -> tuple[dict[str, Any], ...]:
    """A rule's states, latest first (Rasa parses and reverses the key per check)."""
    return tuple(reversed(json.loads(rule_key)))


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    return tuple(_freeze(item) for item in value) if isinstance(value, list) else value


def _groups(lookup: dict[str, str]) -> dict[Any, list[str]]:
    kept = _GROUPS.get(id(lookup))
    if kept is not None and kept[0] is lookup and kept[1] == len(lookup):
        return kept[2]
    groups: dict[Any, list[str]] = {}
    for key in lookup:
        rule = _reversed_rule(key)
        previous = rule[0].get(PREVIOUS_ACTION) if rule else None
        groups.setdefault(_freeze(previous) if previous else None, []).append(key)
    _GROUPS[id(lookup)] = (lookup, len(lookup), groups)
    return groups


def _candidates(self: RulePolicy, lookup: dict[str, str], latest: dict[str, Any]) -> list[str]:
    """The rules that may fit: those whose latest previous action fits the conversation's
    (as Rasa's test of that part of the state decides), and those without one."""
    previous = latest.get(PREVIOUS_ACTION)
    found: list[str] = []
    for frozen, keys in _groups(lookup).items():
        if frozen is None:
            found.extend(keys)  # empty rules, or conversation starts: checked below
            continue
        rule_previous = _reversed_rule(keys[0])[0][PREVIOUS_ACTION]  # the same in the group
        if previous and self._does_rule_match_state(
            {PREVIOUS_ACTION: rule_previous}, {PREVIOUS_ACTION: previous}
        ):
            found.extend(keys)
    return found


def possible_rule_keys(self: RulePolicy, lookup: dict[str, str], states: list[Any]) -> set[str]:
    """RulePolicy._get_possible_keys: the rules whose every state, latest first, fits the
    conversation's state at the same turn back (all of them for an empty conversation)."""
    if not states:
        return set(lookup)
    latest_first = list(reversed(states))
    previous = [state.get(PREVIOUS_ACTION) for state in latest_first]
    matches = self._does_rule_match_state
    found = set()
    for key in _candidates(self, lookup, latest_first[0]):
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
