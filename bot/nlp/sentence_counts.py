"""Rasa's CountVectorsFeaturizer, computing only the features this pipeline uses.

Rasa's featurizer gives every message two kinds of count features: one row per token
(sequence features, for DIET and the response selector) and one row for the whole
message (sentence features). Our intent classifier (`intent_classifier.py`) reads only
the sentence features, and nothing else in config.yml reads either, so the per-token
rows were counted and thrown away: about 0.4 ms of CPU a message for the two featurizers.
This one counts the sentence features exactly as Rasa does and no sequence features.
Use Rasa's own CountVectorsFeaturizer again before adding a component that needs them.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Count (bag of words or character n-gram) features of a whole message only."""

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[Any], list[Any]]:
        """As Rasa's, with no sequence features: for each message, None and its sentence
        features (None too for an attribute Rasa gives no sentence features)."""
        if not self.vectorizers.get(attribute):
            return [None], [None]
        sentence_features: list[Any] = []
        for tokens in all_tokens:
            if not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentence_features.append(None)
                continue
            sentence = self.vectorizers[attribute].transform([" ".join(tokens)])
            sentence.sort_indices()
            sentence_features.append(sentence.tocoo())
        return [None] * len(all_tokens), sentence_features
