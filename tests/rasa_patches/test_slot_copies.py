"""Slots are copied exactly as `copy.copy` copied them before."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import (
    AnySlot,
    BooleanSlot,
    CategoricalSlot,
    FloatSlot,
    ListSlot,
    Slot,
    TextSlot,
)
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_patches.slot_copies import copy_slot, plain_slot_types

MAPPINGS = [{"type": "from_entity", "entity": "postcode"}]


def as_copy_did(slot: Any) -> Any:
    """What `copy.copy` returned for a slot before it had a `__copy__`."""
    return copy._reconstruct(slot, None, *slot.__reduce_ex__(4))  # type: ignore[attr-defined]


def slots() -> list[Slot]:
    made: list[Slot] = [
        TextSlot("postcode", MAPPINGS, initial_value="OB2 5JQ"),
        FloatSlot("house_number", MAPPINGS, max_value=500.0, min_value=1.0),
        BooleanSlot("opted_in", MAPPINGS, influence_conversation=True),
        ListSlot("streets", MAPPINGS, initial_value=["Elm Road"]),
        CategoricalSlot("bin", MAPPINGS, values=["black", "green"], initial_value="black"),
        AnySlot("context", MAPPINGS, initial_value={"ticket": 7}),
    ]
    made[1].value = 7.0
    return made


def test_each_rasa_slot_type_copies_to_the_same_state_as_before() -> None:
    assert len(plain_slot_types()) == 6
    for slot in slots():
        ours, before = copy.copy(slot), as_copy_did(slot)
        assert type(ours) is type(before) is type(slot)
        assert vars(ours) == vars(before) == vars(slot)
        assert ours is not slot and vars(ours) is not vars(slot)
        ours.value = before.value = "changed"  # a copy's value is its own
        assert slot.value != "changed"
        assert vars(ours) == vars(before)


class SlottedSlot(TextSlot):
    """A slot class (as a project might add) keeping part of its state in __slots__."""

    __slots__ = ("extra",)


def test_other_slot_classes_are_copied_by_copys_own_steps() -> None:
    slot = SlottedSlot("postcode", MAPPINGS)
    slot.extra = "kept"
    ours = copy.copy(slot)
    assert type(ours) is SlottedSlot and ours.extra == "kept"
    assert vars(ours) == vars(slot)


def test_a_trackers_copies_hold_the_same_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Slot.__copy__ is copy_slot
    domain = Domain.load("domain")
    tracker = DialogueStateTracker("resident", domain.slots)
    tracker.update(SlotSet("postcode", "OB2 5JQ"))
    ours = tracker.init_copy()
    monkeypatch.delattr(Slot, "__copy__")
    before = tracker.init_copy()
    assert {name: vars(slot) for name, slot in ours.slots.items()} == {
        name: vars(slot) for name, slot in before.slots.items()
    }
    assert all(ours.slots[name] is not slot for name, slot in tracker.slots.items())
