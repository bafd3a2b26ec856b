"""The model's graph run node by node gives exactly what Rasa's dask runner gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.engine.exceptions import GraphComponentException, GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

import rasa_patches
from rasa_patches.graph_runner import run_in_order

CALLS: list[str] = []


class Step(GraphComponent):
    """Adds its `amount` to the sum of its inputs; records that it ran."""

    def __init__(self, config: dict[str, Any], name: str | None) -> None:
        self.amount = config["amount"]
        self.name = name

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Step:
        return cls(config, execution_context.node_name)

    def add(self, **inputs: Any) -> Any:
        CALLS.append(str(self.name))
        if self.amount == "fail":
            raise ValueError("a component failed")
        if self.amount == "runtime":
            raise RuntimeError("a scheduler-level failure")
        return self.amount + sum(inputs.values())


def _node(amount: Any, **needs: str) -> SchemaNode:
    return SchemaNode(
        needs=needs,
        uses=Step,
        constructor_name="create",
        fn="add",
        config={"amount": amount},
        eager=True,
    )


def _runner(tmp_path: Path, **nodes: SchemaNode) -> DaskGraphRunner:
    schema = GraphSchema(nodes)
    return DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "m"))


def _both(runner: DaskGraphRunner, **kwargs: Any) -> tuple[Any, list[str], Any, list[str]]:
    """(Rasa's result, the nodes it ran, ours, the nodes ours ran)."""
    CALLS.clear()
    rasas = rasa_patches.RASA_GRAPH_RUN(runner, **kwargs)
    rasa_calls = sorted(CALLS)
    CALLS.clear()
    ours = run_in_order(runner, **kwargs)
    return rasas, rasa_calls, ours, sorted(CALLS)


def diamond(tmp_path: Path) -> DaskGraphRunner:
    # a <- b, a <- c, (b, c) <- d; e stands alone; f needs an input placeholder.
    return _runner(
        tmp_path,
        a=_node(1),
        b=_node(10, x="a"),
        c=_node(100, x="a"),
        d=_node(1000, left="b", right="c"),
        e=_node(5),
        f=_node(7, given="__input__"),
    )


def test_the_same_results_each_node_run_once_and_only_those_needed(tmp_path: Path) -> None:
    runner = diamond(tmp_path)
    for targets in (["d"], ["b"], ["d", "e"], ["a", "d", "a"], None):
        kwargs: dict[str, Any] = {"targets": targets}
        if targets is None:  # every target of the schema: f needs its input
            kwargs["inputs"] = {"__input__": 3}
        rasas, rasa_calls, ours, our_calls = _both(runner, **kwargs)
        assert ours == rasas
        assert our_calls == rasa_calls
    assert run_in_order(runner, targets=["d"]) == {"d": 1000 + 11 + 101}
    CALLS.clear()
    run_in_order(runner, targets=["d"])
    assert sorted(CALLS) == ["a", "b", "c", "d"]  # a once, though b and c both need it


def test_dependencies_run_before_their_dependants(tmp_path: Path) -> None:
    CALLS.clear()
    run_in_order(diamond(tmp_path), targets=["d", "e"])
    assert CALLS.index("a") < CALLS.index("b") < CALLS.index("d")
    assert CALLS.index("c") < CALLS.index("d")


def test_an_input_stands_in_for_a_node_of_the_same_name(tmp_path: Path) -> None:
    runner = diamond(tmp_path)
    rasas, rasa_calls, ours, our_calls = _both(runner, inputs={"b": 50}, targets=["d"])
    assert ours == rasas == {"d": 1000 + 50 + 101}
    assert our_calls == rasa_calls == ["a", "c", "d"]


def test_a_missing_input_and_a_clashing_input_fail_as_in_rasa(tmp_path: Path) -> None:
    runner = diamond(tmp_path)
    for run in (rasa_patches.RASA_GRAPH_RUN, run_in_order):
        # The node gets the placeholder's bare name, and refuses to run without it.
        with pytest.raises(GraphRunError, match="Missing input to run node 'f'"):
            run(runner, targets=["f"])
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(runner, inputs={"__input__": "f"}, targets=["f"])
        # A node outside the targets' graph is not a clash.
        assert run(runner, inputs={"__input__": "a"}, targets=["e"]) == {"e": 5}
        with pytest.raises(KeyError):
            run(runner, targets=["no such node"])


def test_component_errors_surface_as_in_rasa(tmp_path: Path) -> None:
    runner = _runner(tmp_path, a=_node(1), bad=_node("fail", x="a"), odd=_node("runtime"))
    for run in (rasa_patches.RASA_GRAPH_RUN, run_in_order):
        with pytest.raises(GraphComponentException, match="node bad") as raised:
            run(runner, targets=["bad"])
        assert isinstance(raised.value.__cause__, ValueError)
    # GraphNode wraps every error a component raises, so neither runner sees a bare
    # RuntimeError from it; the wrapped error is the same either way.
    for run in (rasa_patches.RASA_GRAPH_RUN, run_in_order):
        with pytest.raises(GraphComponentException) as raised:
            run(runner, targets=["odd"])
        assert isinstance(raised.value.__cause__, RuntimeError)


def test_rasa_runs_its_graphs_with_it() -> None:
    assert DaskGraphRunner.run is run_in_order


MODEL = Path(__file__).resolve().parents[2] / "models" / "council.tar.gz"
HELDOUT = sorted((Path(__file__).resolve().parents[1] / "nlu" / "heldout").glob("*.yml"))


@pytest.mark.model
@pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run make train")
async def test_the_trained_model_understands_and_predicts_exactly_as_with_dask(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage

    from bot.bench.examples import read_examples

    agent = await load_agent(str(MODEL))
    processor = agent.processor
    assert processor is not None
    texts = [example.text for example in read_examples(HELDOUT)][::3]
    assert len(texts) > 80

    def use(run: Any) -> None:
        monkeypatch.setattr(DaskGraphRunner, "run", run)

    intents, actions = set(), set()

    for number, text in enumerate(texts):
        message = UserMessage(text, sender_id=f"resident-{number}", message_id=f"m{number}")
        use(rasa_patches.RASA_GRAPH_RUN)
        rasas = await processor.parse_message(message)
        use(run_in_order)
        ours = await processor.parse_message(message)
        assert ours == rasas, text
        intents.add(ours["intent"]["name"])
        # And the first action predicted after it, in a conversation of its own.
        tracker = await processor.fetch_tracker_and_update_session(message.sender_id)
        await processor._handle_message_with_tracker(message, tracker)
        use(rasa_patches.RASA_GRAPH_RUN)
        rasas_next = processor._predict_next_with_tracker(tracker)
        use(run_in_order)
        ours_next = processor._predict_next_with_tracker(tracker)
        assert ours_next == rasas_next, text
        actions.add(ours_next.max_confidence_index)
    assert len(intents) > 30 and len(actions) > 10  # the comparison covers the model's range
