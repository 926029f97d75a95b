"""The roll-up in Python, with the scoring engine: the embedded default's path and the oracle.

Computes every row described in strategy.rollup for the given fiscal years, for all units.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from strategy import periods, scoring
from strategy.models import Actual, Target
from strategy.rollup.inputs import (
    SCORE_PLACES,
    VALUE_PLACES,
    PeriodInfo,
    Structure,
    calculated_values,
    rolled_status,
)

SpanKey = tuple[str, int, int]  # (span kind, fiscal year, number)


@dataclass(frozen=True)
class Row:
    level: str
    ref_id: int
    unit_id: int
    span: SpanKey
    value: Decimal | None
    goal: Decimal | None
    score: Decimal | None
    status: str
    with_data: int
    total: int
    reason: str = ""


@dataclass(frozen=True)
class Cell:
    index: int
    value: Decimal | None
    not_applicable: bool
    target: scoring.Target | None
    reason: str


class Computed:
    """Rows computed so far, findable by item and by span."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.by_key: dict[tuple[str, int, SpanKey], Row] = {}
        self.spans: dict[tuple[str, int], list[SpanKey]] = defaultdict(list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        self.by_key[(row.level, row.ref_id, row.span)] = row
        self.spans[(row.level, row.ref_id)].append(row.span)


def compute(structure: Structure, period_list: list[PeriodInfo]) -> list[Row]:
    """Every stored row for these periods, measures first, then each level up."""
    indexes = defaultdict(set)
    for period in period_list:
        indexes[period.fiscal_year].add(period.index)
    done = Computed()
    for (measure_id, fiscal_year), found in _cells(structure, period_list).items():
        measure = structure.measures[measure_id]
        for span, inside in _spans(fiscal_year, found, indexes[fiscal_year]):
            done.add(_measure_row(measure, span, inside))
    _objective_rows(structure, done)
    _group_rows(done, "perspective", _perspective_items(structure))
    _group_rows(done, "unit", _unit_items(structure))
    return done.rows


def _cells(structure: Structure, period_list: list[PeriodInfo]) -> dict:
    """(measure id, fiscal year) → cells in time order."""
    by_id = {p.id: p for p in period_list}
    actuals = {
        (m, p): (value, na)
        for m, p, value, na in Actual.objects.filter(period_id__in=by_id).values_list(
            "measure_id", "period_id", "value", "not_applicable"
        )
    }
    targets = {
        (m, p): (goal, lower, upper, amber)
        for m, p, goal, lower, upper, amber in Target.objects.filter(
            period_id__in=by_id
        ).values_list("measure_id", "period_id", "goal", "lower", "upper", "amber")
    }
    calculated = calculated_values(structure, period_list)
    cells = defaultdict(list)
    for measure in structure.measures.values():
        for period in period_list:
            if not (measure.first_year <= period.fiscal_year <= measure.last_year):
                continue
            if not measure.reports_in(period.index):
                continue
            key = (measure.id, period.id)
            if measure.formula:
                value, reason = calculated.get(key, (None, ""))
                not_applicable = False
            else:
                value, not_applicable = actuals.get(key, (None, False))
                value, reason = (None if not_applicable else value), ""
            target = _target(measure, targets.get(key))
            cells[(measure.id, period.fiscal_year)].append(
                Cell(period.index, value, not_applicable, target, reason)
            )
    return cells


def _target(measure, row) -> scoring.Target | None:
    if row is None:
        return None
    goal, lower, upper, amber = row
    return scoring.Target(
        measure.polarity,
        goal=goal,
        lower=lower,
        upper=upper,
        amber=amber,
        tolerance=measure.tolerance,
    )


def _spans(
    fiscal_year: int, cells: list[Cell], indexes: set[int]
) -> list[tuple[SpanKey, list[Cell]]]:
    spans = [(("month", fiscal_year, c.index), [c]) for c in cells]
    for quarter in range(1, 5):
        inside = [c for c in cells if (c.index - 1) // 3 + 1 == quarter]
        if inside:
            spans.append((("quarter", fiscal_year, quarter), inside))
    for k in sorted(indexes):
        upto = [c for c in cells if c.index <= k]
        if upto:
            spans.append((("ytd", fiscal_year, k), upto))
    spans.append((("year", fiscal_year, 12), cells))
    return spans


def _measure_row(measure, span: SpanKey, cells: list[Cell]) -> Row:
    value = periods.aggregate([c.value for c in cells], measure.aggregation)
    target = periods.aggregate_targets([c.target for c in cells], measure.aggregation)
    not_applicable = value is None and any(c.not_applicable for c in cells)
    result = scoring.measure_result(value, target, not_applicable=not_applicable)
    goal = None if target is None or target.goal is None else target.goal
    reasons = [c.reason for c in cells if c.reason]
    return Row(
        level="measure",
        ref_id=measure.id,
        unit_id=measure.unit_id,
        span=span,
        value=_round(value, VALUE_PLACES),
        goal=_round(goal, VALUE_PLACES) if target is not None and target.is_usable else None,
        score=_round(result.score, SCORE_PLACES),
        status=result.status.value,
        with_data=sum(1 for c in cells if c.value is not None),
        total=len(cells),
        reason=reasons[-1][:200] if reasons and span[0] == "month" else "",
    )


def _round(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places)


def _objective_rows(structure: Structure, done: Computed) -> None:
    """Objectives bottom-up by unit depth, so a supporting child objective is ready first."""
    items = defaultdict(list)
    for measure in structure.measures.values():
        items[measure.objective_id].append(("measure", measure.id, measure.weight))
    for child, parent, weight in structure.alignments:
        items[parent].append(("objective", child, weight))
    order = sorted(
        structure.objectives, key=lambda pk: -structure.unit_depth(structure.objectives[pk][0])
    )
    for objective_id in order:
        unit_id = structure.objectives[objective_id][0]
        _rolled(done, "objective", objective_id, unit_id, items[objective_id])


def _perspective_items(structure: Structure) -> dict:
    items = defaultdict(list)
    for pk, (_, perspective_id, weight) in structure.objectives.items():
        items[perspective_id].append(("objective", pk, weight))
    return {pk: (structure.perspectives[pk][0], items[pk]) for pk in structure.perspectives}


def _unit_items(structure: Structure) -> dict:
    items = defaultdict(list)
    for pk, (unit_id, weight) in structure.perspectives.items():
        items[unit_id].append(("perspective", pk, weight))
    return {unit_id: (unit_id, found) for unit_id, found in items.items()}


def _group_rows(done: Computed, level: str, groups: dict) -> None:
    for ref_id, (unit_id, items) in groups.items():
        _rolled(done, level, ref_id, unit_id, items)


def _rolled(done: Computed, level: str, ref_id: int, unit_id: int, items: list) -> None:
    by_span = defaultdict(list)
    for item_level, item_id, weight in items:
        for span in done.spans.get((item_level, item_id), []):
            by_span[span].append((done.by_key[(item_level, item_id, span)].score, weight))
    for span, pairs in by_span.items():
        rollup = scoring.weighted_mean(pairs)
        score = _round(rollup.score, SCORE_PLACES)
        status = rolled_status(score)
        done.add(
            Row(
                level,
                ref_id,
                unit_id,
                span,
                None,
                None,
                score,
                status,
                rollup.with_data,
                rollup.total,
            )
        )
