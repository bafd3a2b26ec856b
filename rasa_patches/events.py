"""Finding an event's class by its type name once, not by walking Event's subclasses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RASA_RESOLVE_EVENT: Any = None  # Rasa's own Event.resolve_by_type, once replaced


_EVENT_CLASSES: dict[str, Any] = {}


def resolve_event_class(type_name: str, default: Any = None) -> Any:
    """Event.resolve_by_type, remembering the classes found: Rasa walks every subclass of
    Event (a recursive list, rebuilt each time) for each event it reads back."""
    found = _EVENT_CLASSES.get(type_name)
    if found is not None:
        return found
    found = RASA_RESOLVE_EVENT(type_name, default)
    if found is not None and found is not default:
        _EVENT_CLASSES[type_name] = found
    return found


def remembering(original: Callable[..., Any]) -> Callable[..., Any]:
    """Event.resolve_by_type (Rasa's, a static method), wrapped to remember what it finds."""
    global RASA_RESOLVE_EVENT
    RASA_RESOLVE_EVENT = original.__func__ if isinstance(original, staticmethod) else original
    return resolve_event_class
