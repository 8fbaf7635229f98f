"""Running one GraphQL operation within the limits: checked, costed, then run to a deadline.

Every operation goes through the same steps:

1. The document is parsed, validated and held to the token, alias and depth limits,
   once per distinct text (`limits.DocumentChecks`).
2. Its cost is computed (`limits.CostModel`) and an operation over the cost limit is
   refused before any resolver runs. Every answer carries `extensions.cost`.
3. It runs on graphql-core directly (Strawberry's resolvers and types, without
   Strawberry's per-request machinery, which would parse and validate again), with an
   executor that checks the request's deadline before completing each object. Past the
   deadline the whole operation stops with one error, however much was left to do.
   A query used before (or costly enough) runs instead as a plan compiled once
   (`compiled.py`), which answers the same, faster.

Resolvers are synchronous, so an operation that could take long would hold the event
loop and every other request with it. Operations that cost more than `INLINE_COST`
therefore run in a worker thread; the event loop answers others meanwhile, and stops
waiting for the thread at the deadline even when a single resolver is still busy (that
thread then stops at its next deadline check). Cheap operations, the common case, run
inline: a thread hop costs more than they do.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import anyio
import anyio.to_thread
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationType, execute, get_operation_ast
from strawberry.exceptions import MissingQueryError
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from content_graph.compiled import CompiledOperations
from content_graph.errors import BAD_REQUEST, OPERATION_RESOLUTION_FAILURE
from content_graph.limits import CostModel, DocumentChecks, LimitError, data_list_sizes
from content_graph.settings import Limits
from content_graph.stack_room import with_stack_room
from graph.model import ContentGraph

# Operations up to this cost run on the event loop (see the module docstring).
INLINE_COST = 1_000
# How long past the deadline the event loop waits for a worker thread to notice it.
DEADLINE_GRACE = 0.25
TIMEOUT_CODE = "TIMEOUT"


class DeadlineExceeded(BaseException):
    """Raised inside execution when the deadline has passed.

    A BaseException on purpose: graphql-core turns every `Exception` raised under a
    field into an error for that field and carries on with its siblings, which would
    answer one error per remaining field instead of stopping.
    """


class DeadlineExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with one clock read per object completed."""

    def __init__(self, *args: Any, deadline: float = math.inf, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def execute_collected_subfields(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() > self.deadline:
            raise DeadlineExceeded
        return super().execute_collected_subfields(*args, **kwargs)


class Execution:
    """Runs operations against one schema within one set of limits."""

    def __init__(self, schema: BaseSchema, limits: Limits) -> None:
        self.schema = schema._schema  # type: ignore[attr-defined]
        self.limits = limits
        self.checks = DocumentChecks(self.schema, limits)
        self.costs = CostModel(self.schema)
        self.compiled = CompiledOperations(self.schema, DeadlineExceeded)

    def deadline(self) -> float:
        """The deadline of a request that starts now."""
        return time.monotonic() + self.limits.timeout

    async def run(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        *,
        graph: ContentGraph,
        context: Any,
        deadline: float,
        allowed: frozenset[OperationType] = frozenset(OperationType),
        operation_extensions: Mapping[str, Any] | None = None,
    ) -> ExecutionResult:
        """The result of one operation, with `extensions.cost` set.

        Raises Strawberry's `MissingQueryError`, `CannotGetOperationTypeError` and
        `InvalidOperationTypeError` (an operation type not in `allowed`), which the view
        answers as HTTP errors, as Strawberry's own execution does.
        """
        if not query:
            raise MissingQueryError
        limit = self.limits.max_cost
        checked = self.checks.check(query)
        document = checked.document
        if document is None:
            return _refused(checked.errors, None, limit)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            raise CannotGetOperationTypeError(operation_name)
        if operation.operation not in allowed:
            raise InvalidOperationTypeError(StrawberryOperationType(operation.operation.value))
        if checked.errors:
            return _refused(checked.errors, None, limit)
        cost = checked.costs.get(operation_name)
        if cost is None:
            cost, from_variables = self.costs.cost(
                document, operation, variables, data_list_sizes(graph)
            )
            if not from_variables:
                checked.costs[operation_name] = cost
        if cost > limit:
            message = (
                f"The query's cost is {cost:,}, over the cost limit of {limit:,}: it could "
                f"return up to {cost:,} nodes. Ask for smaller pages (first/last) or fewer "
                "nested lists."
            )
            return _refused([LimitError(message, "MAX_COST_EXCEEDED", limit)], cost, limit)

        def execute_once() -> Any:
            # The operation's compiled plan when it has one (compiled.py), else graphql-core.
            compiled = self.compiled.execute(
                query,
                document,
                operation_name,
                context=context,
                variables=variables,
                deadline=deadline,
                operation_extensions=operation_extensions,
                cost=cost,
            )
            if compiled is not None:
                return compiled
            return execute(
                self.schema,
                document,
                context_value=context,
                variable_values=dict(variables) if variables else None,
                operation_name=operation_name,
                executor_class=DeadlineExecutor,
                is_awaitable=optimized_is_awaitable,
                deadline=deadline,
                operation_extensions=operation_extensions,
            )

        def run_now() -> ExecutionResult:
            try:
                # Through a frame with room below it: see stack_room.py (30% of a
                # list-heavy query's time went to mapping frame chunks otherwise).
                outcome = with_stack_room(execute_once)
            except DeadlineExceeded:
                return self._timed_out()
            if type(outcome) is ExecutionResult:
                return outcome  # a compiled plan's
            # graphql-core's, not an awaitable: every resolver is synchronous.
            assert isinstance(outcome, GraphQLExecutionResult)
            return ExecutionResult(outcome.data, outcome.errors)

        result: ExecutionResult | None = None
        if cost <= INLINE_COST:
            result = run_now()
        else:
            with anyio.move_on_after(deadline - time.monotonic() + DEADLINE_GRACE):
                result = await anyio.to_thread.run_sync(run_now, abandon_on_cancel=True)
        if result is None:
            result = self._timed_out()
        result.extensions = {"cost": {"requested": cost, "limit": limit}}
        return result

    def refusal(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        *,
        graph: ContentGraph,
        allowed: frozenset[OperationType],
    ) -> list[GraphQLError]:
        """Why the document limits or the cost limit refuse an operation; [] when they
        do not. For operations that others run (subscriptions), not through `run`."""
        if not query:
            return [
                GraphQLError(
                    "The operation has no GraphQL document.", extensions={"code": BAD_REQUEST}
                )
            ]
        checked = self.checks.check(query)
        if checked.document is None or checked.errors:
            return list(checked.errors)
        operation = get_operation_ast(checked.document, operation_name)
        if operation is None:
            message = CannotGetOperationTypeError(operation_name).as_http_error_reason()
            return [GraphQLError(message, extensions={"code": OPERATION_RESOLUTION_FAILURE})]
        if operation.operation not in allowed:
            kinds = " and ".join(sorted(kind.value for kind in allowed))
            return [
                GraphQLError(
                    f"Only {kinds} operations are run here; send a {operation.operation.value} "
                    "over HTTP to /graphql.",
                    extensions={"code": BAD_REQUEST},
                )
            ]
        cost, _ = self.costs.cost(checked.document, operation, variables, data_list_sizes(graph))
        limit = self.limits.max_cost
        if cost > limit:
            message = (
                f"The subscription's cost is {cost:,}, over the cost limit of {limit:,}: each "
                f"event could return up to {cost:,} nodes. Ask for fewer nested lists."
            )
            return [LimitError(message, "MAX_COST_EXCEEDED", limit)]
        return []

    def _timed_out(self) -> ExecutionResult:
        timeout = self.limits.timeout
        message = f"The request took longer than the time limit of {timeout:g} s and was stopped."
        error = GraphQLError(message, extensions={"code": TIMEOUT_CODE, "limit": timeout})
        return ExecutionResult(data=None, errors=[error])


def is_timeout(error: GraphQLError) -> bool:
    """True for the error of an operation stopped at its deadline (it began executing)."""
    return bool(error.extensions) and error.extensions.get("code") == TIMEOUT_CODE  # type: ignore[union-attr]


def _refused(errors: list[GraphQLError], cost: int | None, limit: int) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=errors, extensions={"cost": {"requested": cost, "limit": limit}}
    )
