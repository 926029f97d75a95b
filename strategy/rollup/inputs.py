"""What a roll-up reads: the strategy's structure, the periods in scope, calculated values."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from strategy import formulas, periods, scoring
from strategy.models import Actual, Alignment, Measure, Objective, OrgUnit, Period, Perspective

SCORE_PLACES = Decimal("1e-15")
VALUE_PLACES = Decimal("1e-12")
# Objectives and above compare their rounded score with thresholds rounded the same way,
# so one measure exactly at its amber threshold leaves its objective amber too.
GREEN_ROUNDED = scoring.GREEN_FROM.quantize(SCORE_PLACES)
AMBER_ROUNDED = scoring.AMBER_FROM.quantize(SCORE_PLACES)


def rolled_status(score: Decimal | None) -> str:
    """The status of an objective, perspective or unit from its rounded score."""
    if score is None:
        return scoring.Status.NO_DATA.value
    if score >= GREEN_ROUNDED:
        return scoring.Status.ON_TARGET.value
    if score >= AMBER_ROUNDED:
        return scoring.Status.NEAR_TARGET.value
    return scoring.Status.OFF_TARGET.value


@dataclass(frozen=True)
class PeriodInfo:
    id: int
    year: int
    month: int
    fiscal_year: int
    index: int  # 1..12 within the fiscal year


@dataclass(frozen=True)
class MeasureInfo:
    id: int
    code: str
    unit_id: int
    objective_id: int
    first_year: int
    last_year: int
    frequency: str
    polarity: str
    aggregation: str
    tolerance: Decimal
    weight: Decimal
    formula: str
    missing_as_zero: bool

    def reports_in(self, index: int) -> bool:
        if self.frequency == "quarterly":
            return index % 3 == 0
        if self.frequency == "annual":
            return index == 12
        return True


@dataclass
class Structure:
    """Every unit's measures, objectives and perspectives with weights, and the alignments."""

    measures: dict[int, MeasureInfo] = field(default_factory=dict)
    objectives: dict[int, tuple[int, int, Decimal]] = field(default_factory=dict)
    perspectives: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
    alignments: list[tuple[int, int, Decimal]] = field(default_factory=list)
    unit_parent: dict[int, int | None] = field(default_factory=dict)

    def unit_depth(self, unit_id: int) -> int:
        depth, seen = 0, {unit_id}
        parent = self.unit_parent.get(unit_id)
        while parent is not None and parent not in seen:
            depth, parent = depth + 1, self.unit_parent.get(parent)
            seen.add(parent)
        return depth


def load_structure() -> Structure:
    """The whole strategy's shape: a few thousand rows at most, read in five queries."""
    structure = Structure()
    structure.unit_parent = dict(OrgUnit.objects.values_list("id", "parent_id"))
    for pk, unit_id, weight in Perspective.objects.values_list("id", "plan__unit_id", "weight"):
        structure.perspectives[pk] = (unit_id, weight)
    objectives = Objective.objects.values_list(
        "id", "perspective_id", "perspective__plan__unit_id", "weight"
    )
    for pk, perspective_id, unit_id, weight in objectives:
        structure.objectives[pk] = (unit_id, perspective_id, weight)
    structure.alignments = list(Alignment.objects.values_list("child_id", "parent_id", "weight"))
    for row in Measure.objects.values(*_MEASURE_FIELDS):
        structure.measures[row["id"]] = _measure_info(row)
    return structure


_MEASURE_FIELDS = [
    "id",
    "code",
    "objective_id",
    "objective__perspective__plan__unit_id",
    "objective__perspective__plan__first_year",
    "objective__perspective__plan__last_year",
    "frequency",
    "polarity",
    "aggregation",
    "tolerance",
    "weight",
    "formula",
    "missing_as_zero",
]


def _measure_info(row: dict) -> MeasureInfo:
    return MeasureInfo(
        id=row["id"],
        code=row["code"],
        unit_id=row["objective__perspective__plan__unit_id"],
        objective_id=row["objective_id"],
        first_year=row["objective__perspective__plan__first_year"],
        last_year=row["objective__perspective__plan__last_year"],
        frequency=row["frequency"],
        polarity=row["polarity"],
        aggregation=row["aggregation"],
        tolerance=row["tolerance"],
        weight=row["weight"],
        formula=row["formula"].strip(),
        missing_as_zero=row["missing_as_zero"],
    )


def fiscal_years_with_periods() -> list[int]:
    """Every fiscal year that has at least one period."""
    start = settings.FISCAL_YEAR_START_MONTH
    months = Period.objects.values_list("year", "month")
    return sorted({periods.fiscal_year_of(year, month, start) for year, month in months})


def load_periods(fiscal_years: list[int]) -> list[PeriodInfo]:
    """The existing periods of these fiscal years, in time order."""
    start = settings.FISCAL_YEAR_START_MONTH
    wanted = {pair for fy in fiscal_years for pair in periods.fiscal_months(fy, start)}
    found = []
    for pk, year, month in Period.objects.values_list("id", "year", "month"):
        if (year, month) in wanted:
            fy = periods.fiscal_year_of(year, month, start)
            found.append(
                PeriodInfo(pk, year, month, fy, periods.fiscal_month_index(year, month, start))
            )
    return sorted(found, key=lambda p: (p.year, p.month))


def calculated_values(
    structure: Structure, period_list: list[PeriodInfo]
) -> dict[tuple[int, int], tuple[Decimal | None, str]]:
    """Monthly values of every calculated measure, inputs before the measures reading them.

    All of them, whatever the scope: they are few, and one may read another out of scope.
    """
    calculated = {m.code: m for m in structure.measures.values() if m.formula}
    if not calculated:
        return {}
    parsed = {code: formulas.parse(m.formula) for code, m in calculated.items()}
    order = formulas.dependency_order({code: f.codes for code, f in parsed.items()})
    by_code = {m.code: m for m in structure.measures.values()}
    values = _input_values(parsed, by_code, period_list)
    results: dict[tuple[int, int], tuple[Decimal | None, str]] = {}
    for code in (c for c in order if c in parsed):
        measure = calculated[code]
        for period in period_list:
            inputs = {name: values.get((name, period.id)) for name in parsed[code].codes}
            outcome = formulas.evaluate(
                parsed[code], inputs, missing_as_zero=measure.missing_as_zero
            )
            value = None if outcome.value is None else outcome.value.quantize(VALUE_PLACES)
            values[(code, period.id)] = value
            if measure.reports_in(period.index):
                results[(measure.id, period.id)] = (value, outcome.reason or "")
    return results


def _input_values(parsed, by_code, period_list) -> dict[tuple[str, int], Decimal]:
    codes = set().union(*(formula.codes for formula in parsed.values()))
    ids = {
        by_code[code].id: code for code in codes if code in by_code and not by_code[code].formula
    }
    rows = Actual.objects.filter(
        measure_id__in=ids, period_id__in=[p.id for p in period_list], value__isnull=False
    ).values_list("measure_id", "period_id", "value")
    values: dict[tuple[str, int], Decimal] = defaultdict(lambda: None)  # type: ignore[arg-type]
    for measure_id, period_id, value in rows:
        values[(ids[measure_id], period_id)] = value
    return values
