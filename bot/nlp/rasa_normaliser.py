"""A Rasa NLU component that cleans what SpacyEntityExtractor found.

It sits after `SpacyEntityExtractor` in config.yml: every entity gets its
canonical value (postcode 'SW1A 1AA', reference 'MB-204117', phone in E.164 ...)
and entities that are the right shape but not valid are dropped, so slots only
ever hold values the actions can use.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.entities import normalise_entity


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityNormaliser(GraphComponent):
    """Normalises entity values and drops invalid ones (no training needed)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityNormaliser:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            cleaned = []
            for entity in message.get(ENTITIES, []):
                value = normalise_entity(
                    entity[ENTITY_ATTRIBUTE_TYPE], str(entity[ENTITY_ATTRIBUTE_VALUE])
                )
                if value is not None:
                    cleaned.append({**entity, ENTITY_ATTRIBUTE_VALUE: value})
            message.set(ENTITIES, cleaned, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
