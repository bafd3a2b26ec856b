"""A Rasa NLU component: urgent risk is heard in every message, whatever the classifier says.

It sits after the intent classifier (and KnownWordsGuard) and before FallbackClassifier in
config.yml, so rules, forms, slot mappings, handoff and insight all see its decision
(bot/safety/detector.py):
- a phrase of data/urgent/ matches: the intent becomes that urgent label, confidence 1.0;
- the classifier guessed an urgent label it cannot back up (not confident, no cue word):
  the guess is dropped for the best non-urgent intent of its ranking.
What it did is kept on the message as `urgent` (label, by, the classifier's intent).

The phrase files and the training vocabulary are stored in the model when it is trained, so
a trained model behaves the same wherever it runs. Rasa's training cache would reuse an
earlier training of this component whatever the phrase files say: `fingerprint_addon` puts
them (and the stored format) in its key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.safety.detector import NLU_DATA_DIR, UrgentDetector
from bot.safety.labels import URGENT
from bot.safety.patterns import PATTERNS_DIR, load_patterns
from bot.safety.vocabulary import MIN_COUNT, SHARE, Vocabulary, read_vocabulary

WORDS_FILE = "vocabulary.json"
# Changes when what train() stores changes, so Rasa's cache trains this again.
STORED_FORMAT = f"phrases+vocabulary/2 min_count={MIN_COUNT} share={SHARE}"
PHRASES_DIR = "urgent"
URGENT_KEY = "urgent"


def _override(message: Message, detector: UrgentDetector) -> None:
    intent = message.get(INTENT) or {}
    ranking = list(message.get(INTENT_RANKING_KEY) or [])
    scores = {
        str(r.get("name")): float(r.get("confidence") or 0.0)
        for r in ranking
        if r.get("name") in URGENT
    }
    top = intent.get("name")
    decision = detector.decide(str(message.get(TEXT) or ""), scores, top if top in URGENT else None)
    if decision.label is not None:
        # The decision is made: confidence 1, so the fallback never undoes it. What the
        # classifier thought is kept beside it, for staff and insight.
        top = {"name": decision.label, "confidence": 1.0}
        rest = [r for r in ranking if r.get("name") != decision.label]
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *rest], add_to_output=True)
        info = {
            "label": decision.label,
            "by": decision.by,
            "classifier_intent": intent.get("name"),
            "scores": scores,
        }
        message.set(URGENT_KEY, info, add_to_output=True)
    elif intent.get("name") in URGENT:
        # The classifier's urgent guess is not believed: the best other intent stands, as
        # sure as the classifier is of it once the message is known not to be urgent.
        not_urgent = max(1.0 - sum(scores.values()), 1e-9)
        rest = [
            {**r, "confidence": min(1.0, float(r.get("confidence") or 0.0) / not_urgent)}
            for r in ranking
            if r.get("name") not in URGENT
        ]
        fallback = rest[0] if rest else {"name": None, "confidence": 0.0}
        message.set(INTENT, dict(fallback), add_to_output=True)
        message.set(INTENT_RANKING_KEY, rest, add_to_output=True)
        message.set(
            URGENT_KEY, {"dropped": intent.get("name"), "scores": scores}, add_to_output=True
        )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UrgentOverride(GraphComponent):
    """Gives urgent phrases their label in every message (see the module's docstring)."""

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, detector: UrgentDetector | None
    ) -> None:
        self._storage = model_storage
        self._resource = resource
        self.detector = detector

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UrgentOverride:
        return cls(model_storage, resource, None)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """What Rasa's training cache must see change to train this again: the phrase files,
        the training files (the vocabulary) and what this component stores."""
        digest = hashlib.sha256(STORED_FORMAT.encode())
        for path in [*sorted(PATTERNS_DIR.glob("*.yml")), *sorted(NLU_DATA_DIR.glob("*.yml"))]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UrgentOverride:
        with model_storage.read_from(resource) as directory:
            raw = json.loads((directory / WORDS_FILE).read_text(encoding="utf-8"))
            patterns = load_patterns(directory / PHRASES_DIR)
        return cls(model_storage, resource, UrgentDetector(patterns, Vocabulary.from_json(raw)))

    def train(self, training_data: TrainingData) -> Resource:
        """Store the phrases of data/urgent/ and the vocabulary of the training data."""
        patterns = load_patterns(PATTERNS_DIR)  # fails training on a phrase that is wrong
        vocabulary = read_vocabulary(NLU_DATA_DIR)
        with self._storage.write_to(self._resource) as directory:
            (directory / WORDS_FILE).write_text(json.dumps(vocabulary.as_json()), encoding="utf-8")
            target = Path(directory) / PHRASES_DIR
            target.mkdir()
            for path in sorted(PATTERNS_DIR.glob("*.yml")):
                (target / path.name).write_text(path.read_text(encoding="utf-8"), "utf-8")
        self.detector = UrgentDetector(patterns, vocabulary)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        if self.detector is None:
            return messages
        for message in messages:
            _override(message, self.detector)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
