"""The classifier's feature matrix is exactly the one Rasa's own `_create_X` builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix
from sklearn.preprocessing import normalize

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


def _reference_x(messages: list[Message]) -> Any:
    """What `_create_X` gave when built with scipy and sklearn's own calls."""
    features = csr_matrix(
        LogisticRegressionClassifier._create_X(None, messages),
        dtype=np.float64,  # type: ignore[arg-type]
    )
    features.data = np.log1p(np.abs(features.data)) * np.sign(features.data)
    return normalize(features, norm="l2")


def _unsorted_with_duplicates(width: int) -> coo_matrix:
    # Entries out of column order, one column given twice (a COO matrix may hold both).
    return coo_matrix(
        (np.array([2.0, 1.0, 3.0, 1.0]), (np.zeros(4, dtype=int), np.array([7, 2, 5, 2]))),
        shape=(1, width),
    )


@pytest.mark.parametrize("dense", [False, True], ids=["sparse only", "with dense features"])
def test_the_feature_matrix_is_exactly_the_scaled_one_built_with_scipy_and_sklearn(
    classifier: ScaledLogisticRegressionClassifier, dense: bool
) -> None:
    messages = [_message(words, dense) for words in (1, 3, 8, 2, 5)]
    odd = Message(data={TEXT: "odd"})
    odd.add_features(Features(_unsorted_with_duplicates(40), "sentence", TEXT, "first"))
    odd.add_features(Features(coo_matrix((1, 90)), "sentence", TEXT, "empty"))  # no entries
    if dense:
        odd.add_features(Features(RNG.random((1, 5)), "sentence", TEXT, "dense"))
    for batch in ([messages[0]], messages, [odd], [*messages, odd]):
        ours, theirs = classifier._create_X(batch), _reference_x(batch)
        assert isinstance(ours, csr_matrix) and ours.has_canonical_format
        assert ours.shape == theirs.shape
        assert np.array_equal(ours.indptr, theirs.indptr)
        assert np.array_equal(ours.indices, theirs.indices)
        assert np.array_equal(ours.data, theirs.data)  # bit for bit: the same predictions


def test_sentence_features_of_different_widths_are_refused(
    classifier: ScaledLogisticRegressionClassifier,
) -> None:
    narrow = Message(data={TEXT: "narrow"})
    narrow.add_features(Features(_sparse(1, 30), "sentence", TEXT, "CountVectorsFeaturizer"))
    with pytest.raises(ValueError):
        classifier._create_X([_message(2), narrow])
