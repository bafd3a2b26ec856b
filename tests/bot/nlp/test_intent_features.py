"""The classifier's feature matrix is exactly the one Rasa's own `_create_X` builds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix

from bot.nlp.intent_classifier import ScaledLogisticRegressionClassifier

RNG = np.random.default_rng(7)


def _sparse(rows: int, columns: int) -> coo_matrix:
    dense = RNG.integers(0, 3, size=(rows, columns)) * (RNG.random((rows, columns)) < 0.2)
    return coo_matrix(dense.astype(np.float64))


def _message(words: int, dense: bool = False) -> Message:
    message = Message(data={TEXT: "x " * words})
    # Sequence and sentence features from two featurizers, interleaved as Rasa adds them,
    # plus one for another attribute that must be left out.
    for origin, width in (("CountVectorsFeaturizer", 40), ("char_wb", 90)):
        message.add_features(Features(_sparse(words, width), "sequence", TEXT, origin))
        message.add_features(Features(_sparse(1, width), "sentence", TEXT, origin))
    message.add_features(Features(_sparse(1, 12), "sentence", "intent", "other"))
    if dense:
        message.add_features(Features(RNG.random((1, 5)), "sentence", TEXT, "dense"))
    return message


@pytest.fixture
def classifier(tmp_path: Path) -> ScaledLogisticRegressionClassifier:
    return ScaledLogisticRegressionClassifier(
        {}, "clf", LocalModelStorage(tmp_path), Resource("clf")
    )


@pytest.mark.parametrize("dense", [False, True], ids=["sparse only", "with dense features"])
def test_sentence_features_match_rasas_create_x(
    classifier: ScaledLogisticRegressionClassifier, dense: bool
) -> None:
    messages = [_message(words, dense) for words in (1, 3, 8, 2)]
    ours = classifier._sentence_features(messages)
    theirs = LogisticRegressionClassifier._create_X(classifier, messages)
    assert ours.shape == theirs.shape == (4, 130 + (5 if dense else 0))
    assert np.array_equal(ours.toarray(), theirs.toarray())
