"""The sentence-only count featurizer gives exactly Rasa's sentence features, and no
per-token ones (nothing in config.yml reads them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.sentence_counts import SentenceCountVectorsFeaturizer

EXAMPLES = [
    ("when is my bin day", "bin_collection_day"),
    ("my black bin was not collected", "report_missed_bin"),
    ("how do I pay council tax?", "council_tax_pay"),
    ("pay my Council Tax by direct debit", "council_tax_pay"),
    ("there is a pothole on Mill Lane", "report_pothole"),
]
UNSEEN = ["bins", "council tax please", "zxq vlorp", "pothole pothole POTHOLE", "", "ŵ ŷ café"]
CONFIGS = [{}, {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5}]


def _messages(texts: list[str], intents: list[str] | None = None) -> list[Message]:
    messages = [
        Message(data={TEXT: text, **({INTENT: intents[i]} if intents else {})})
        for i, text in enumerate(texts)
    ]
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process_training_data(TrainingData(messages))
    return messages


def _training_messages() -> list[Message]:
    return _messages([text for text, _ in EXAMPLES], [intent for _, intent in EXAMPLES])


def _trained(cls: Any, config: dict[str, Any], tmp_path: Path, name: str) -> Any:
    context = ExecutionContext(GraphSchema({}), name)
    featurizer = cls.create(
        {**cls.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource(name),
        context,
    )
    featurizer.train(TrainingData(_training_messages()))
    return featurizer


@pytest.mark.parametrize("config", CONFIGS, ids=["words", "character n-grams"])
def test_sentence_features_are_rasas_and_there_are_no_sequence_features(
    config: dict[str, Any], tmp_path: Path
) -> None:
    rasas = _trained(CountVectorsFeaturizer, config, tmp_path, "rasa")
    ours = _trained(SentenceCountVectorsFeaturizer, config, tmp_path, "ours")
    texts = [text for text, _ in EXAMPLES] + UNSEEN
    theirs_messages, our_messages = _messages(texts), _messages(texts)
    rasas.process(theirs_messages)
    ours.process(our_messages)
    for text, theirs, mine in zip(texts, theirs_messages, our_messages, strict=True):
        their_sentence = [f for f in theirs.features if f.type == "sentence"]
        our_sentence = [f for f in mine.features if f.type == "sentence"]
        assert len(our_sentence) == len(their_sentence) == (1 if text else 0), text
        for a, b in zip(our_sentence, their_sentence, strict=True):
            assert a.attribute == b.attribute
            assert a.features.shape == b.features.shape
            assert np.array_equal(a.features.toarray(), b.features.toarray()), text
            assert np.array_equal(a.features.col, b.features.col)  # same layout too
        assert [f for f in mine.features if f.type == "sequence"] == []
        if text:
            assert [f for f in theirs.features if f.type == "sequence"] != []


def test_training_examples_get_sentence_features_for_their_text_only(tmp_path: Path) -> None:
    ours = _trained(SentenceCountVectorsFeaturizer, {}, tmp_path, "ours")
    data = TrainingData(_training_messages())
    ours.process_training_data(data)
    for message in data.training_examples:
        assert [(f.type, f.attribute) for f in message.features] == [("sentence", TEXT)]
