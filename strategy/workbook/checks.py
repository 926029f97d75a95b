"""Checking a whole workbook against itself and the scorecard, before anything is written.

`validate` reads every sheet in order (units before plans, ..., measures before targets) and
collects every problem; a later sheet's codes are looked up in earlier sheets and in `Known`,
what the scorecard already holds. Small sheets' rows are kept for writing; the big sheets'
rows go to the spool.
"""

import re
import zipfile
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from strategy import formulas, periods
from strategy.graphs import reaches
from strategy.scoring import Polarity
from strategy.workbook.cells import month_text, quote
from strategy.workbook.reading import Problems, SheetReader, Source, Spool
from strategy.workbook.sheets import (
    ACTUALS,
    ALIGNMENTS,
    BIG_SHEETS,
    COVER_SHEET,
    FIELD_VALUES,
    INITIATIVES,
    LINKS,
    MEASURES,
    MILESTONES,
    OBJECTIVES,
    PERSPECTIVES,
    PLANS,
    SHEETS,
    TARGETS,
    UNITS,
    ActualRow,
    AlignmentRow,
    InitiativeRow,
    LinkRow,
    MeasureRow,
    MilestoneRow,
    ObjectiveRow,
    PerspectiveRow,
    PlanRow,
    Sheet,
    TargetRow,
    UnitRow,
)

# ---------------------------------------------------------------- what exists already


@dataclass(frozen=True)
class ObjectiveFacts:
    unit_code: str
    plan: str
    perspective: str


@dataclass(frozen=True)
class MeasureFacts:
    objective_code: str
    frequency: str
    polarity: str
    formula: str
    allow_negative: bool


MonthKey = tuple[str, tuple[int, int]]
StoredActual = tuple[Decimal | None, bool, str, str, str, str]


def _no_stored_actuals(keys: Sequence[MonthKey]) -> dict[MonthKey, StoredActual]:
    return {}


@dataclass
class Known:
    """What the scorecard already holds, as far as checking a workbook needs (by code)."""

    start_month: int = 4
    unit_parents: dict[str, str] = field(default_factory=dict)
    plans: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    perspectives: set[tuple[str, str, str]] = field(default_factory=set)
    objectives: dict[str, ObjectiveFacts] = field(default_factory=dict)
    links: set[tuple[str, str]] = field(default_factory=set)
    measures: dict[str, MeasureFacts] = field(default_factory=dict)
    usernames: set[str] = field(default_factory=set)
    initiatives: set[str] = field(default_factory=set)
    closed_months: set[tuple[int, int]] = field(default_factory=set)
    # (measure code, month) → (value, not_applicable, analysis, actions, risks, status)
    stored_actuals: Callable[[Sequence[MonthKey]], dict[MonthKey, StoredActual]] = (
        _no_stored_actuals
    )


# ---------------------------------------------------------------- checking

_READ_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    ParseError,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
)
UNREADABLE = (
    "The workbook could not be read; it may be damaged. Open it in Excel, save it again as "
    '"Excel Workbook (.xlsx)" and upload that.'
)
_MEASURE_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:[.-][A-Za-z0-9][A-Za-z0-9_]*)*")


@dataclass
class Validation:
    """Everything found in a workbook: its problems and the rows of its small sheets."""

    problems: Problems
    rows: dict[str, list] = field(default_factory=dict)
    months: set[tuple[int, int]] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)


def validate(source: Source, known: Known, spool: Spool | None = None) -> Validation:
    """Read every sheet and collect every problem; big sheets' rows go to the spool."""
    problems = Problems()
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except _READ_ERRORS:
        problems.add("", None, "", UNREADABLE)
        return Validation(problems)
    checker = _Checker(known, problems, spool)
    try:
        checker.check_sheet_names(book.sheetnames)
        for sheet in SHEETS:
            checker.check(sheet, _worksheet(book, sheet.name))
    except _READ_ERRORS:
        problems.add("", None, "", UNREADABLE)
    finally:
        book.close()
    return checker.validation


def _worksheet(book, name: str):
    for candidate in book.sheetnames:
        if candidate.lower() == name.lower():
            return book[candidate]
    return None


def _month_label(month: tuple[int, int]) -> str:
    return f"{periods.MONTH_ABBREVIATIONS[month[1] - 1]} {month[0]}"


@dataclass(frozen=True)
class _MeasureContext:
    code: str
    polarity: str
    frequency: str
    allow_negative: bool
    plan: str
    years: tuple[int, int] | None


class _MonthIndex:
    """The first row for each measure and month: 4 bytes per month of each measure's plan.

    A dict of every (measure, month) seen would grow by some 100 bytes a row; this grows
    with the number of measures and the length of their plans, not with the rows.
    """

    def __init__(self, start_month: int) -> None:
        self.start_month = start_month
        self.by_measure: dict[str, array] = {}
        self.loose: dict[tuple[str, tuple[int, int]], int] = {}  # no plan, or outside it

    def claim(self, code: str, month: tuple[int, int], years, row: int) -> int | None:
        """Record the row for this measure and month; the earlier row if one had it already."""
        offset = self._offset(month, years)
        if offset is None:
            first = self.loose.setdefault((code, month), row)
            return first if first != row else None
        rows = self.by_measure.get(code)
        if rows is None:
            rows = self.by_measure[code] = array("I", bytes(4 * 12 * (years[1] - years[0] + 1)))
        if rows[offset]:
            return rows[offset]
        rows[offset] = row
        return None

    def _offset(self, month: tuple[int, int], years: tuple[int, int] | None) -> int | None:
        if years is None:
            return None
        offset = month[0] * 12 + month[1] - (years[0] * 12 + self.start_month)
        return offset if 0 <= offset < 12 * (years[1] - years[0] + 1) else None


class _Checker:
    """Checks each sheet in turn; later sheets look up codes from earlier ones and the DB."""

    def __init__(self, known: Known, problems: Problems, spool: Spool | None) -> None:
        self.known = known
        self.problems = problems
        self.spool = spool
        self.validation = Validation(problems)
        self.rows = self.validation.rows
        self.reported: set[tuple[str, int | None, str]] = set()
        self.contexts: dict[str, _MeasureContext | None] = {}
        self.frequency_months: dict[tuple[str, tuple[int, int]], bool] = {}
        self.closed_rows: list[ActualRow] = []
        self.units: dict[str, UnitRow] = {}
        self.plans: dict[tuple[str, str], PlanRow] = {}
        self.perspectives: set[tuple[str, str, str]] = set()
        self.objectives: dict[str, ObjectiveFacts] = {}
        self.measures: dict[str, MeasureRow] = {}
        self.initiatives: set[str] = set()
        self.month_index = _MonthIndex(known.start_month)

    # -- plumbing

    def add(self, sheet: Sheet, row: Any, column: str, message: str) -> None:
        """One problem per cell: a cell that failed to parse is not reported again."""
        place = (sheet.name, row.row, column)
        if place not in self.reported:
            self.reported.add(place)
            self.problems.add(sheet.name, row.row, column, message)

    def check_sheet_names(self, names: Sequence[str]) -> None:
        expected = {sheet.name.lower() for sheet in SHEETS} | {COVER_SHEET.lower()}
        listed = ", ".join(sheet.name for sheet in SHEETS)
        for name in names:
            if name.lower() not in expected:
                message = f'The import does not read a sheet called "{name}". Rename it to one '
                self.problems.add(name, None, "", message + f"of {listed}, or delete it")

    def check(self, sheet: Sheet, worksheet) -> None:
        rows: Iterable[Any] = ()
        reader = None
        if worksheet is not None and hasattr(worksheet, "iter_rows"):
            reader = SheetReader(worksheet, sheet, self.problems)
            rows = reader.rows()
        if sheet.name not in BIG_SHEETS:
            self.rows[sheet.name] = []
        getattr(self, f"_check_{sheet.name.lower()}")(self._noting_parse_problems(rows))
        self.validation.counts[sheet.name] = reader.count if reader else 0

    def _noting_parse_problems(self, rows: Iterable[Any]) -> Iterator[Any]:
        # Cells that failed to parse are reported by the reader; remember them so the
        # checks below do not add a second problem for the same cell.
        seen = len(self.problems.items)
        for row in rows:
            for problem in self.problems.items[seen:]:
                self.reported.add((problem.sheet, problem.row, problem.column))
            seen = len(self.problems.items)
            yield row

    def keep(self, sheet: Sheet, row: Any) -> None:
        self.rows[sheet.name].append(row)

    def unique(self, sheet: Sheet, row: Any, seen: dict) -> bool:
        key = tuple(getattr(row, name) for name in sheet.key)
        if any(part in (None, "") for part in key):
            return False
        first = seen.setdefault(key, row.row)
        if first != row.row:
            self.add(sheet, row, sheet.key[-1], f'"{", ".join(key)}" is already on row {first}')
            return False
        return True

    def unknown(self, sheet: Sheet, row: Any, column: str, what: str, where: str) -> None:
        value = getattr(row, column)
        self.add(
            sheet,
            row,
            column,
            f"There is no {what} {quote(value)} on the {where} sheet or in the scorecard",
        )

    def check_user(self, sheet: Sheet, row: Any, column: str, username: str) -> None:
        if username and username not in self.known.usernames:
            self.add(
                sheet,
                row,
                column,
                f"There is no user with the username {quote(username)}. Ask for their "
                "login to be made first, or leave the cell empty",
            )

    # -- lookups across the workbook and the scorecard

    def unit_exists(self, code: str) -> bool:
        return code in self.units or code in self.known.unit_parents

    def unit_parent(self, code: str) -> str:
        row = self.units.get(code)
        return row.parent_code if row is not None else self.known.unit_parents.get(code, "")

    def plan_years(self, unit_code: str, plan: str) -> tuple[int, int] | None:
        row = self.plans.get((unit_code, plan))
        if row is not None:
            return (row.first_year, row.last_year) if row.first_year and row.last_year else None
        return self.known.plans.get((unit_code, plan))

    def plan_exists(self, unit_code: str, plan: str) -> bool:
        return (unit_code, plan) in self.plans or (unit_code, plan) in self.known.plans

    def objective(self, code: str) -> ObjectiveFacts | None:
        return self.objectives.get(code) or self.known.objectives.get(code)

    def objective_ref(self, sheet: Sheet, row: Any, column: str, code: str | None = None) -> bool:
        code = getattr(row, column) if code is None else code
        if not code:
            return False
        if self.objective(code) is None:
            self.add(
                sheet,
                row,
                column,
                f"There is no objective {quote(code)} on the Objectives sheet or in the scorecard",
            )
            return False
        return True

    # -- units, plans, perspectives, objectives

    def _check_units(self, rows: Iterable[UnitRow]) -> None:
        seen: dict = {}
        for row in rows:
            if self.unique(UNITS, row, seen):
                self.units[row.code] = row
                self.keep(UNITS, row)
        for row in self.units.values():
            self._check_unit_parent(row)

    def _check_unit_parent(self, row: UnitRow) -> None:
        if not row.parent_code:
            return
        if not self.unit_exists(row.parent_code):
            self.unknown(UNITS, row, "parent_code", "unit", "Units")
            return
        seen, unit = set(), row.parent_code
        while unit and unit not in seen:
            if unit == row.code:
                self.add(
                    UNITS,
                    row,
                    "parent_code",
                    f"{quote(row.parent_code)} would put unit {quote(row.code)} under itself",
                )
                return
            seen.add(unit)
            unit = self.unit_parent(unit)

    def _check_plans(self, rows: Iterable[PlanRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(PLANS, row, seen):
                continue
            if not self.unit_exists(row.unit_code):
                self.unknown(PLANS, row, "unit_code", "unit", "Units")
            if row.first_year and row.last_year and row.last_year < row.first_year:
                self.add(
                    PLANS,
                    row,
                    "last_year",
                    f'"{row.last_year}" is before the first year, {row.first_year}',
                )
            self.plans[(row.unit_code, row.name)] = row
            self.keep(PLANS, row)

    def plan_ref(self, sheet: Sheet, row: Any, unit_code: str, plan: str) -> bool:
        if not unit_code:
            return False
        if not self.unit_exists(unit_code):
            self.unknown(sheet, row, "unit_code", "unit", "Units")
            return False
        if not self.plan_exists(unit_code, plan):
            self.add(
                sheet,
                row,
                "plan",
                f"There is no plan {quote(plan)} for unit {quote(unit_code)} on the "
                "Plans sheet or in the scorecard",
            )
            return False
        return True

    def _check_perspectives(self, rows: Iterable[PerspectiveRow]) -> None:
        seen: dict = {}
        for row in rows:
            if self.unique(PERSPECTIVES, row, seen):
                self.plan_ref(PERSPECTIVES, row, row.unit_code, row.plan)
                self.perspectives.add((row.unit_code, row.plan, row.name))
                self.keep(PERSPECTIVES, row)

    def _check_objectives(self, rows: Iterable[ObjectiveRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(OBJECTIVES, row, seen):
                continue
            self.check_user(OBJECTIVES, row, "owner", row.owner)
            row.plan = self._objective_plan(row)
            place = (row.unit_code, row.plan, row.perspective)
            if row.plan and row.perspective and not self._perspective_exists(place):
                self.add(
                    OBJECTIVES,
                    row,
                    "perspective",
                    f"There is no perspective {quote(row.perspective)} in plan "
                    f"{quote(row.plan)} on the Perspectives sheet or in the scorecard",
                )
            self.objectives[row.code] = ObjectiveFacts(*place)
            self.keep(OBJECTIVES, row)

    def _perspective_exists(self, place: tuple[str, str, str]) -> bool:
        return place in self.perspectives or place in self.known.perspectives

    def _objective_plan(self, row: ObjectiveRow) -> str:
        if row.plan:
            return row.plan if self.plan_ref(OBJECTIVES, row, row.unit_code, row.plan) else ""
        if not row.unit_code:
            return ""
        if not self.unit_exists(row.unit_code):
            self.unknown(OBJECTIVES, row, "unit_code", "unit", "Units")
            return ""
        plans = self._plans_of(row.unit_code)
        if len(plans) == 1:
            return plans[0]
        unit = quote(row.unit_code)
        if plans:
            message = f"Unit {unit} has {len(plans)} plans: name the one this objective is in"
        else:
            message = f"Unit {unit} has no plan yet: add one on the Plans sheet"
        self.add(OBJECTIVES, row, "plan", message)
        return ""

    def _plans_of(self, unit_code: str) -> list[str]:
        names = {name for unit, name in self.plans if unit == unit_code}
        names |= {name for unit, name in self.known.plans if unit == unit_code}
        return sorted(names)

    # -- links and alignments

    def _check_links(self, rows: Iterable[LinkRow]) -> None:
        seen: dict = {}
        nodes: dict[str, int] = {}
        edges: dict[int, set[int]] = defaultdict(set)
        for cause, effect in self.known.links:
            edges[nodes.setdefault(cause, len(nodes))].add(nodes.setdefault(effect, len(nodes)))
        for row in rows:
            if not self.unique(LINKS, row, seen):
                continue
            found = [self.objective_ref(LINKS, row, name) for name in ("cause_code", "effect_code")]
            if not all(found):
                continue
            cause = nodes.setdefault(row.cause_code, len(nodes))
            effect = nodes.setdefault(row.effect_code, len(nodes))
            if self._link_cycles(row, edges, cause, effect):
                continue
            edges[cause].add(effect)
            self.keep(LINKS, row)

    def _link_cycles(
        self, row: LinkRow, edges: dict[int, set[int]], cause: int, effect: int
    ) -> bool:
        if cause == effect:
            self.add(LINKS, row, "effect_code", "An objective cannot drive itself")
            return True
        if effect in edges[cause] or not reaches(edges, effect, cause):
            return False
        self.add(
            LINKS,
            row,
            "effect_code",
            f"{row.cause_code} driving {row.effect_code} would make a circle: "
            f"{row.effect_code} already drives {row.cause_code}, directly or through others",
        )
        return True

    def _check_alignments(self, rows: Iterable[AlignmentRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(ALIGNMENTS, row, seen):
                continue
            found = [self.objective_ref(ALIGNMENTS, row, n) for n in ("child_code", "parent_code")]
            if all(found):
                self._check_alignment_units(row)
            self.keep(ALIGNMENTS, row)

    def _check_alignment_units(self, row: AlignmentRow) -> None:
        child_unit = self.objective(row.child_code).unit_code
        parent_unit = self.objective(row.parent_code).unit_code
        above = self.unit_parent(child_unit)
        if above != parent_unit and (not above or self.unit_exists(above)):
            self.add(
                ALIGNMENTS,
                row,
                "parent_code",
                f"{row.child_code} is in unit {quote(child_unit)}, which is not directly under "
                f"unit {quote(parent_unit)} of {row.parent_code}: an objective can only "
                "support an objective of the unit directly above its own",
            )

    # -- measures and formulas

    def _check_measures(self, rows: Iterable[MeasureRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(MEASURES, row, seen):
                continue
            if not _MEASURE_CODE.fullmatch(row.code):
                self.add(
                    MEASURES,
                    row,
                    "code",
                    f"{quote(row.code)} cannot be used in formulas: start with a letter, then "
                    "use letters, digits and _ only",
                )
            self.objective_ref(MEASURES, row, "objective_code")
            self.check_user(MEASURES, row, "owner", row.owner)
            for steward in row.stewards or ():
                self.check_user(MEASURES, row, "stewards", steward)
            self.measures[row.code] = row
            self.keep(MEASURES, row)
        self._check_formulas()

    def _check_formulas(self) -> None:
        codes = set(self.known.measures) | set(self.measures)
        dependencies = self._stored_formulas()
        for code, row in self.measures.items():
            dependencies.pop(code, None)
            if not row.formula:
                continue
            try:
                dependencies[code] = formulas.check(row.formula, codes).codes
            except formulas.FormulaError as error:
                self.add(MEASURES, row, "formula", f"{quote(row.formula)}: {error.message}")
        try:
            formulas.dependency_order(dependencies)
        except formulas.FormulaCycleError as error:
            in_sheet = [self.measures[code] for code in set(error.cycle) if code in self.measures]
            for row in sorted(in_sheet, key=_row_number):
                self.add(MEASURES, row, "formula", error.message)

    def _stored_formulas(self) -> dict[str, frozenset[str]]:
        stored = {}
        for code, facts in self.known.measures.items():
            if facts.formula:
                try:
                    stored[code] = formulas.parse(facts.formula).codes
                except formulas.FormulaError:
                    continue  # a stored formula that no longer parses reads nothing
        return stored

    def context(self, code: str) -> _MeasureContext | None:
        """What targets and actuals of a measure are checked against; None if unknown."""
        if code not in self.contexts:
            self.contexts[code] = self._context(code)
        return self.contexts[code]

    def _context(self, code: str) -> _MeasureContext | None:
        facts = self.measures.get(code) or self.known.measures.get(code)
        if facts is None:
            return None
        objective = self.objective(facts.objective_code or "")
        plan = objective.plan if objective else ""
        years = self.plan_years(objective.unit_code, plan) if objective and plan else None
        return _MeasureContext(
            code,
            facts.polarity or "",
            facts.frequency or "",
            bool(facts.allow_negative),
            plan,
            years,
        )

    # -- targets and actuals: streamed, kept on disk, never all in memory

    def _measure_of(self, sheet: Sheet, row: Any) -> _MeasureContext | None:
        if not row.measure_code:
            return None
        context = self.context(row.measure_code)
        if context is None:
            self.add(
                sheet,
                row,
                "measure_code",
                f"There is no measure {quote(row.measure_code)} on the Measures sheet or in "
                "the scorecard",
            )
        return context

    def _unique_month(self, sheet: Sheet, row: Any, context: _MeasureContext) -> bool:
        first = self.month_index.claim(row.measure_code, row.period, context.years, row.row)
        if first is None:
            return True
        self.add(
            sheet,
            row,
            "period",
            f"{row.measure_code} already has a row for {month_text(row.period)}, on row {first}",
        )
        return False

    def _check_in_plan(self, sheet: Sheet, row: Any, context: _MeasureContext) -> None:
        if context.years is None:
            return
        fiscal_year = periods.fiscal_year_of(*row.period, self.known.start_month)
        first, last = context.years
        if not first <= fiscal_year <= last:
            start = periods.fiscal_year_label(first, self.known.start_month)
            end = periods.fiscal_year_label(last, self.known.start_month)
            self.add(
                sheet,
                row,
                "period",
                f'"{month_text(row.period)}" is outside the plan {quote(context.plan)}, '
                f"which runs from {start} to {end}",
            )

    def _keep_big(self, sheet: Sheet, row: Any) -> None:
        self.validation.months.add(row.period)
        if self.spool is not None:
            self.spool.add(sheet.name, FIELD_VALUES[sheet.name](row))

    def _check_targets(self, rows: Iterable[TargetRow]) -> None:
        self.month_index = _MonthIndex(self.known.start_month)
        for row in rows:
            context = self._measure_of(TARGETS, row)
            if (
                context is None
                or row.period is None
                or not self._unique_month(TARGETS, row, context)
            ):
                continue
            self._check_in_plan(TARGETS, row, context)
            if context.polarity == Polarity.WITHIN_BAND:
                self._check_band(row)
            else:
                self._check_goal(row, context)
            self._keep_big(TARGETS, row)

    def _check_band(self, row: TargetRow) -> None:
        for name in ("lower", "upper"):
            if getattr(row, name) is None:
                self.add(TARGETS, row, name, f"A band measure needs a {name} limit: enter it")
        if row.lower is not None and row.upper is not None and row.lower > row.upper:
            self.add(TARGETS, row, "upper", f'"{row.upper}" is below the lower limit, {row.lower}')
        if row.amber is not None and row.amber < 0:
            self.add(
                TARGETS,
                row,
                "amber",
                f'"{row.amber}" is below zero: a band\'s tolerance is 0 or more',
            )

    def _check_goal(self, row: TargetRow, context: _MeasureContext) -> None:
        if row.goal is None:
            self.add(TARGETS, row, "goal", "Enter the goal for this month")
            return
        if row.amber is None:
            return
        higher = context.polarity == Polarity.HIGHER_IS_BETTER
        if (higher and row.amber > row.goal) or (not higher and row.amber < row.goal):
            side = "above" if higher else "below"
            self.add(
                TARGETS,
                row,
                "amber",
                f'"{row.amber}" is {side} the goal, {row.goal}: where red starts must be on the '
                "losing side of the goal",
            )

    def _check_actuals(self, rows: Iterable[ActualRow]) -> None:
        self.month_index = _MonthIndex(self.known.start_month)
        for row in rows:
            context = self._measure_of(ACTUALS, row)
            if (
                context is None
                or row.period is None
                or not self._unique_month(ACTUALS, row, context)
            ):
                continue
            self._check_in_plan(ACTUALS, row, context)
            self._check_actual_value(row, context)
            self._check_reports_in(row, context)
            if row.period in self.known.closed_months:
                self._check_closed(row)
            self._keep_big(ACTUALS, row)
        self._flush_closed()

    def _check_actual_value(self, row: ActualRow, context: _MeasureContext) -> None:
        if row.value is None and not row.not_applicable:
            self.add(ACTUALS, row, "value", "Enter a value, or write Yes under not_applicable")
        elif row.value is not None and row.not_applicable:
            self.add(
                ACTUALS,
                row,
                "not_applicable",
                "The row has a value and is marked not applicable: clear one of them",
            )
        elif row.value is not None and row.value < 0 and not context.allow_negative:
            self.add(
                ACTUALS,
                row,
                "value",
                f'"{row.value}" is below zero, and {row.measure_code} does not allow values '
                "below zero",
            )

    def _check_reports_in(self, row: ActualRow, context: _MeasureContext) -> None:
        key = (context.frequency, row.period)
        if key not in self.frequency_months:
            index = periods.fiscal_month_index(*row.period, self.known.start_month)
            self.frequency_months[key] = reports_in(context.frequency, index)
        if not self.frequency_months[key]:
            self.add(
                ACTUALS,
                row,
                "period",
                f"{row.measure_code} is reported {context.frequency}, so it has no actual for "
                f"{_month_label(row.period)}: quarterly measures report in the last month of "
                "each fiscal quarter, annual ones in the last month of the fiscal year",
            )

    def _check_closed(self, row: ActualRow) -> None:
        self.closed_rows.append(row)
        if len(self.closed_rows) >= 1_000:
            self._flush_closed()

    def _flush_closed(self) -> None:
        # A closed month may appear in the workbook only as it already stands.
        if not self.closed_rows:
            return
        stored = self.known.stored_actuals([(r.measure_code, r.period) for r in self.closed_rows])
        for row in self.closed_rows:
            wanted = (
                row.value,
                row.not_applicable,
                row.analysis,
                row.actions,
                row.risks,
                row.status,
            )
            if stored.get((row.measure_code, row.period)) != wanted:
                self.add(
                    ACTUALS,
                    row,
                    "period",
                    f"{_month_label(row.period)} is closed, so its actuals cannot be changed. "
                    "Reopen the month first, or remove this row",
                )
        self.closed_rows = []

    # -- initiatives and milestones

    def _check_initiatives(self, rows: Iterable[InitiativeRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(INITIATIVES, row, seen):
                continue
            self.check_user(INITIATIVES, row, "owner", row.owner)
            for code in row.objective_codes or ():
                self.objective_ref(INITIATIVES, row, "objective_codes", code)
            if row.start_date and row.end_date and row.end_date < row.start_date:
                self.add(
                    INITIATIVES,
                    row,
                    "end_date",
                    f'"{row.end_date.isoformat()}" is before the start date, '
                    f"{row.start_date.isoformat()}",
                )
            self.initiatives.add(row.code)
            self.keep(INITIATIVES, row)

    def _check_milestones(self, rows: Iterable[MilestoneRow]) -> None:
        seen: dict = {}
        for row in rows:
            if not self.unique(MILESTONES, row, seen):
                continue
            code = row.initiative_code
            if code not in self.initiatives and code not in self.known.initiatives:
                self.unknown(MILESTONES, row, "initiative_code", "initiative", "Initiatives")
            self.keep(MILESTONES, row)


def _row_number(row: Any) -> int:
    return row.row


def reports_in(frequency: str, fiscal_month_index: int) -> bool:
    """Whether a measure of this frequency has an actual in this month of the fiscal year."""
    if frequency == "quarterly":
        return fiscal_month_index % 3 == 0
    if frequency == "annual":
        return fiscal_month_index == 12
    return True
