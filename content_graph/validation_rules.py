"""The validation rules a document needs: those that cannot report anything left out.

Validating a never-seen document is most of its cost (bench/EXECUTION.md): graphql-core
walks it once and calls every rule at every node. Most documents use no directives,
no fragments and one operation, and then 15 of the 34 rules have nothing to look at:
each only acts on a directive, a fragment, a second operation or a subscription, and
reports nothing without one. Leaving them out changes no answer (the order of the
other rules' errors is kept) and saves about a third of the validation time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.validation import (
    FragmentsOnCompositeTypesRule,
    KnownDirectivesRule,
    KnownFragmentNamesRule,
    LoneAnonymousOperationRule,
    NoFragmentCyclesRule,
    NoUnusedFragmentsRule,
    PossibleFragmentSpreadsRule,
    SingleFieldSubscriptionsRule,
    UniqueDirectivesPerLocationRule,
    UniqueFragmentNamesRule,
    UniqueOperationNamesRule,
)
from graphql.validation.rules.defer_stream_directive_label import DeferStreamDirectiveLabel
from graphql.validation.rules.defer_stream_directive_on_root_field import (
    DeferStreamDirectiveOnRootField,
)
from graphql.validation.rules.defer_stream_directive_on_valid_operations_rule import (
    DeferStreamDirectiveOnValidOperationsRule,
)
from graphql.validation.rules.stream_directive_on_list_field import StreamDirectiveOnListField

# Rules that act only on directives.
DIRECTIVE_RULES = frozenset(
    {
        KnownDirectivesRule,
        UniqueDirectivesPerLocationRule,
        DeferStreamDirectiveOnRootField,
        DeferStreamDirectiveOnValidOperationsRule,
        DeferStreamDirectiveLabel,
        StreamDirectiveOnListField,
    }
)
# Rules that act only on fragment definitions and spreads.
NAMED_FRAGMENT_RULES = frozenset(
    {UniqueFragmentNamesRule, KnownFragmentNamesRule, NoUnusedFragmentsRule, NoFragmentCyclesRule}
)
# Rules that act only on fragments, inline ones included.
FRAGMENT_RULES = frozenset({PossibleFragmentSpreadsRule, FragmentsOnCompositeTypesRule})
# Rules that act only when a document holds several operations.
OPERATIONS_RULES = frozenset({UniqueOperationNamesRule, LoneAnonymousOperationRule})


class _Features:
    """What a document uses, of what the rules above look for."""

    __slots__ = ("directives", "inline_fragments", "named_fragments")

    def __init__(self) -> None:
        self.directives = False
        self.named_fragments = False
        self.inline_fragments = False

    def selections(self, selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                self.directives = True
            if isinstance(selection, FragmentSpreadNode):
                self.named_fragments = True
            elif isinstance(selection, InlineFragmentNode):
                self.inline_fragments = True
            self.selections(getattr(selection, "selection_set", None))


def rules_for(document: DocumentNode, rules: Sequence[Any]) -> tuple[Any, ...]:
    """`rules` without those that cannot report anything on `document`."""
    definitions = document.definitions
    if not all(isinstance(d, OperationDefinitionNode) for d in definitions):
        return tuple(rules)  # fragments or non-executable definitions: every rule
    features = _Features()
    for operation in definitions:
        assert isinstance(operation, OperationDefinitionNode)
        if operation.operation is OperationType.SUBSCRIPTION:
            return tuple(rules)
        if operation.directives or any(v.directives for v in operation.variable_definitions or ()):
            features.directives = True
        features.selections(operation.selection_set)
    left_out: set[Any] = {SingleFieldSubscriptionsRule}
    if not features.directives:
        left_out |= DIRECTIVE_RULES
    if not features.named_fragments:
        left_out |= NAMED_FRAGMENT_RULES
        if not features.inline_fragments:
            left_out |= FRAGMENT_RULES
    if len(definitions) == 1:
        left_out |= OPERATIONS_RULES
    return tuple(rule for rule in rules if rule not in left_out)
