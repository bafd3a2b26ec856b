"""Copying a slot as `copy.copy` does, without its generic machinery.

Every tracker Rasa builds copies each of the domain's slots (`DialogueStateTracker.__init__`),
and the rule policy builds one tracker per turn of the conversation for every prediction:
about ten trackers of 21 slots a message. `copy.copy` finds no `__copy__` on a slot and goes
through `__reduce_ex__` and `copy._reconstruct`. For Rasa's own slot types (plain classes with
a `__dict__`, no `__slots__` and no state hooks) that makes a new instance without calling
`__init__` and gives it the same attribute dictionary's items: so does `copy_slot`, in half
the time. Any other slot class is copied by `copy.copy`'s own steps, as before.
"""

from __future__ import annotations

import copy
from typing import Any

from rasa.shared.core.slots import Slot

_PLAIN_SLOT_TYPES: frozenset[type] = frozenset()
_STATE_HOOKS = ("__getstate__", "__setstate__", "__reduce__", "__reduce_ex__")


def plain_slot_types() -> frozenset[type]:
    """Rasa's own slot classes, whose copies need only their attribute dictionary."""
    from rasa.shared.core import slots

    found = {
        cls
        for cls in (
            slots.FloatSlot,
            slots.BooleanSlot,
            slots.TextSlot,
            slots.ListSlot,
            slots.CategoricalSlot,
            slots.AnySlot,
        )
        if not any(
            vars(k).get("__slots__") or any(hook in vars(k) for hook in _STATE_HOOKS)
            for k in cls.__mro__
            if k is not object
        )
    }
    return frozenset(found)


def copy_slot(self: Slot) -> Slot:
    """`copy.copy(self)` for a slot."""
    cls: Any = type(self)
    if cls in _PLAIN_SLOT_TYPES:
        new = cls.__new__(cls)
        new.__dict__.update(self.__dict__)
        return new
    return copy._reconstruct(self, None, *self.__reduce_ex__(4))  # type: ignore[attr-defined]


def prepare() -> None:
    """Find Rasa's own slot classes before `copy_slot` becomes Slot's `__copy__`."""
    global _PLAIN_SLOT_TYPES
    _PLAIN_SLOT_TYPES = plain_slot_types()
