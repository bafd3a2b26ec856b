"""A Rasa NLU component: no confident answer to a message without a single known word.

Character n-grams let the classifier find *some* intent for anything, even "asdfghjkl".
This component sits between the intent classifier and the FallbackClassifier in
config.yml. It learns the words of the training examples; a message whose words are all
unknown (and that has no entity and no digits, which forms use for house numbers and
references) gets confidence 0, so the FallbackClassifier says the assistant is not sure.
A message with one known word is left as the classifier scored it, with one exception:
a message read as `inform` (an answer to a question) needs a known word besides stop words
("flibber the wozzle grommet" is not an answer because "the" was trained on).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.en.stop_words import STOP_WORDS

FILE_NAME = "known_words.json"
# The intent a message of stop words and unknown words must not keep: "Thanks. What would
# you like me to do with that?" is no answer to gibberish.
ANSWER_INTENT = "inform"


def words_of(message: Message) -> list[str]:
    """The message's alphabetic tokens, lower-cased."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return [token.text.lower() for token in tokens if token.text.isalpha()]


def has_no_known_word(message: Message, known: set[str] | frozenset[str]) -> bool:
    """True for a message of words only, none of them known, with no entity found."""
    words = words_of(message)
    text = message.get(TEXT) or ""
    if not words or message.get(ENTITIES) or any(c.isdigit() for c in text):
        return False
    return not any(word in known for word in words)


def has_no_known_content_word(message: Message, known: set[str] | frozenset[str]) -> bool:
    """True for a message with no entity and no digits whose words, stop words ("the",
    "is") aside, are all unknown: 'flibber the wozzle grommet'."""
    words = words_of(message)
    text = message.get(TEXT) or ""
    if not words or message.get(ENTITIES) or any(c.isdigit() for c in text):
        return False
    content = [word for word in words if word not in STOP_WORDS]
    return bool(content) and not any(word in known for word in content)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class KnownWordsGuard(GraphComponent):
    """Sets the intent confidence to 0 when none of a message's words was ever trained on."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, known: frozenset[str]
    ) -> None:
        self._storage = model_storage
        self._resource = resource
        self.known = known

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnownWordsGuard:
        return cls(model_storage, resource, frozenset())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KnownWordsGuard:
        try:
            with model_storage.read_from(resource) as directory:
                known = json.loads((directory / FILE_NAME).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            known = []  # not trained: guards nothing
        return cls(model_storage, resource, frozenset(known))

    def train(self, training_data: TrainingData) -> Resource:
        """Learn every word of the training examples."""
        known: set[str] = set()
        for example in training_data.training_examples:
            known.update(words_of(example))
        self.known = frozenset(known)
        with self._storage.write_to(self._resource) as directory:
            (directory / FILE_NAME).write_text(json.dumps(sorted(known)), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.known:
            return messages
        for message in messages:
            intent = message.get(INTENT)
            if intent and (
                has_no_known_word(message, self.known)
                or (
                    intent.get("name") == ANSWER_INTENT
                    and has_no_known_content_word(message, self.known)
                )
            ):
                message.set(INTENT, {**intent, "confidence": 0.0}, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
