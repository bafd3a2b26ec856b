"""Checking action server responses against Rasa's schema, at a fraction of Rasa's cost.

Rasa checks each response with `jsonschema.validate`, which first checks the (constant)
schema itself against the JSON Schema meta-schema: about 85 ms of CPU per custom action
call. Here the schema is checked once and its validator reused, and each event is first
checked against its own type's part of the schema. Only a response that fails that goes to
Rasa's own check (wrapped, not replaced), so a bad response raises Rasa's own
ValidationError with Rasa's own message.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from rasa.core.actions.action import RemoteAction


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _validators_by_event() -> tuple[Any, dict[str, Any]] | None:
    """The response schema split so that each event is checked against its own type only:
    a validator for the response without its events' schema, and one per event name for
    the event schema with its `oneOf` cut to the one alternative whose `event` is that
    name. Every alternative fixes `event` to a different constant, so the others cannot
    match: the verdict is the same, without trying 23 alternatives per event (each failure
    builds an error). None if the schema is not of that shape."""
    from rasa.core.actions.action import RemoteAction

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    cls = type(_action_response_validator())
    items = schema.get("properties", {}).get("events", {}).pop("items", None)
    alternatives = items.get("oneOf") if isinstance(items, dict) else None
    if not isinstance(alternatives, list):
        return None
    names = [alt.get("properties", {}).get("event", {}).get("const") for alt in alternatives]
    if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    common = {key: value for key, value in items.items() if key != "oneOf"}
    by_name = {
        name: cls({**common, "oneOf": [alt]}) for name, alt in zip(names, alternatives, strict=True)
    }
    return cls(schema), by_name


def _surely_valid(result: Any) -> bool:
    """True only when the full schema would accept `result` (False: ask the full schema)."""
    split = _validators_by_event()
    if split is None or not isinstance(result, dict):
        return False
    outer, by_name = split
    if not outer.is_valid(result):
        return False
    for item in result.get("events") or []:
        name = item.get("event") if isinstance(item, dict) else None
        validator = by_name.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(item):
            return False
    return True


Validate = Callable[[RemoteAction, dict[str, Any]], bool]


def checking_each_event_first(original: Validate) -> Validate:
    """Wraps RemoteAction._validate_action_result: a response each of whose events fits
    its own type's schema is valid; any other goes to Rasa's own check (the same verdict,
    the same error), which then costs what it always did."""

    @wraps(original)
    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if _surely_valid(result):
            return True
        return original(self, result)

    return _validate_action_result
