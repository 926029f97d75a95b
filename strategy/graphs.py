"""Checks that keep the strategy's graphs sound: links without cycles, formulas that resolve."""

from collections import defaultdict

from strategy import formulas
from strategy.models import CauseEffectLink, Measure


def reaches(edges: dict[int, set[int]], start: int, goal: int) -> bool:
    """Whether goal can be reached from start along the edges."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


def link_would_cycle(cause_id: int, effect_id: int, exclude_pk: int | None = None) -> bool:
    """True when adding cause → effect closes a loop (the effect already drives the cause)."""
    edges: dict[int, set[int]] = defaultdict(set)
    links = CauseEffectLink.objects.exclude(pk=exclude_pk).values_list("cause_id", "effect_id")
    for cause, effect in links:
        edges[cause].add(effect)
    return cause_id == effect_id or reaches(edges, effect_id, cause_id)


def formula_check(code: str, text: str) -> formulas.Formula:
    """Parse a measure's formula against the known codes and refuse cycles between formulas."""
    known = set(Measure.objects.values_list("code", flat=True)) | {code}
    formula = formulas.check(text, known)
    dependencies = {
        other: formulas.parse(other_text).codes
        for other, other_text in Measure.objects.exclude(formula="")
        .exclude(code=code)
        .values_list("code", "formula")
    }
    dependencies[code] = formula.codes
    formulas.dependency_order(dependencies)
    return formula
