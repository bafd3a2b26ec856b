"""KnownWordsGuard: no confident intent for a message without one word the model has seen."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.known_words import KnownWordsGuard, has_no_known_word


def tokenised(text: str, **data: object) -> Message:
    found = Message({TEXT: text, **data})
    tokens, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        tokens.append(Token(word, at))
        at += len(word)
    found.set(TOKENS_NAMES[TEXT], tokens)
    return found


def message(text: str, entities: list[dict] | None = None) -> Message:
    """A message as the classifier leaves it: with an intent and its confidence."""
    found = tokenised(text)
    found.set(INTENT, {"name": "bin_collection_day", "confidence": 0.9})
    found.set(ENTITIES, entities or [])
    return found


KNOWN = frozenset({"when", "is", "my", "bin", "day", "rose", "cottage"})


def test_a_message_of_unknown_words_only_has_no_known_word() -> None:
    assert has_no_known_word(message("asdfghjkl"), KNOWN)
    assert has_no_known_word(message("xyzzy plugh ???"), KNOWN)


def test_one_known_word_digits_or_an_entity_leave_the_message_alone() -> None:
    assert not has_no_known_word(message("bin asdfghjkl"), KNOWN)
    assert not has_no_known_word(message("Rose Cottage"), KNOWN)  # case does not matter
    assert not has_no_known_word(message("flat 12b"), KNOWN)  # a house number
    assert not has_no_known_word(
        message("zq", entities=[{"entity": "postcode", "value": "OB2 5JQ"}]), KNOWN
    )
    assert not has_no_known_word(message("👍"), KNOWN)  # no words at all: not judged here


def storage(tmp_path: Path) -> tuple[LocalModelStorage, Resource, ExecutionContext]:
    model_storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "known")
    return model_storage, Resource("known_words_guard"), context


def test_trained_words_are_kept_with_the_model_and_unknown_messages_lose_confidence(
    tmp_path: Path,
) -> None:
    model_storage, resource, context = storage(tmp_path)
    guard = KnownWordsGuard.create({}, model_storage, resource, context)
    guard.train(
        TrainingData(
            [
                tokenised("When is my bin day", intent="bin_collection_day"),
                tokenised("Rose Cottage", intent="inform"),
            ]
        )
    )

    loaded = KnownWordsGuard.load({}, model_storage, resource, context)
    assert loaded.known == KNOWN
    gibberish, question = message("qwertyuiop"), message("bin day please")
    loaded.process([gibberish, question])
    assert gibberish.get(INTENT) == {"name": "bin_collection_day", "confidence": 0.0}
    assert question.get(INTENT) == {"name": "bin_collection_day", "confidence": 0.9}


def test_an_untrained_guard_changes_nothing(tmp_path: Path) -> None:
    model_storage, resource, context = storage(tmp_path)
    guard = KnownWordsGuard.load({}, model_storage, resource, context)
    gibberish = message("qwertyuiop")
    guard.process([gibberish])
    assert gibberish.get(INTENT)["confidence"] == 0.9
