"""Running the model's graph node by node, without dask's scheduler around it.

For every message Rasa runs the trained graph twice or more (understanding the message,
then predicting each next action) through dask's synchronous scheduler: a task queue,
futures, locks and an ordering pass, for a dozen nodes that run one after another in this
thread anyway. Here the same nodes run in the order of their dependencies, each once, with
the same arguments: each dependency's `(node name, output)`, an input given to `run` in
place of a node of the same name, and the bare name of a dependency that is neither (as
dask passes it, and as `GraphNode.__call__` expects). Nodes that do not depend on each other
are run in the order their dependants list them; dask promises no order between them either.
Errors are raised as dask raises them (a `RuntimeError` as Rasa's `GraphRunError`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.runner.dask import DaskGraphRunner

# Per runner and targets: the nodes to run, in order, each with the names it needs.
Plan = tuple[tuple[str, tuple[str, ...]], ...]
_PLANS = "_council_plans"  # where a runner keeps its plans, by targets


def _plan(schema: Any, targets: tuple[str, ...]) -> Plan:
    """The nodes `targets` depend on (themselves included), dependencies first."""
    order: list[tuple[str, tuple[str, ...]]] = []
    placed: set[str] = set()

    def visit(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        node = schema.nodes.get(name)
        if node is None:  # an input placeholder ("__message__"), not a node
            return
        needs = tuple(node.needs.values())
        for need in needs:
            visit(need)
        order.append((name, needs))

    for target in targets:
        visit(target)
    return tuple(order)


def run_in_order(
    self: DaskGraphRunner, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
) -> dict[str, Any]:
    """`DaskGraphRunner.run`, with the same results, without dask."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plans: dict[tuple[str, ...], tuple[Plan, frozenset[str]]] = self.__dict__.setdefault(_PLANS, {})
    if run_targets not in plans:
        plan = _plan(self._graph_schema, run_targets)
        plans[run_targets] = (plan, frozenset(name for name, _ in plan))
    plan, planned = plans[run_targets]
    values: dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        # Rasa refuses a text input naming a node of the graph it runs (dask would read it
        # as that node's output).
        if isinstance(value, str) and (value in planned or value in values):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        values[name] = (name, value)
    nodes = self._instantiated_nodes
    try:
        for name, needs in plan:
            if name not in values:  # an input of the same name stands in for the node
                values[name] = nodes[name](*(values.get(need, need) for need in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)
