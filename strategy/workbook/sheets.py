"""The one table of the workbook's sheets and columns, and the dataclass each row becomes.

The reader matches headings and parses cells by it, the writer writes headings and cells by
it, and a test checks that docs/import-format.md names every column in it.
"""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from typing import Any

from strategy.scoring import Polarity

COVER_SHEET = "Cover"


class Kind(StrEnum):
    """What a column holds; each kind has one parser and one way of being written."""

    TEXT = "text"
    CODE = "code"
    NUMBER = "number"
    WEIGHT = "weight"
    SHARE = "share"
    MONEY = "money"
    WHOLE = "whole number"
    YES_NO = "yes or no"
    DATE = "date"
    MONTH = "month"
    CHOICE = "choice"
    USER = "username"
    USERS = "usernames"
    CODES = "codes"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    example: str = ""
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    low: int | None = None
    high: int | None = None
    unit: str = ""

    @property
    def header(self) -> str:
        """The heading the export writes: the name, and the unit in brackets if it has one."""
        return f"{self.name} ({self.unit})" if self.unit else self.name


@dataclass(frozen=True)
class Sheet:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that identify a row, for duplicates and upserts
    row_type: type

    def column(self, name: str) -> Column:
        """The column of this name."""
        return next(column for column in self.columns if column.name == name)


# ---------------------------------------------------------------- rows


@dataclass(slots=True)
class UnitRow:
    row: int
    code: str
    name: str
    parent_code: str


@dataclass(slots=True)
class PlanRow:
    row: int
    unit_code: str
    name: str
    mission: str
    vision: str
    first_year: int
    last_year: int


@dataclass(slots=True)
class PerspectiveRow:
    row: int
    unit_code: str
    plan: str
    name: str
    order: int
    weight: Decimal


@dataclass(slots=True)
class ObjectiveRow:
    row: int
    code: str
    unit_code: str
    plan: str
    perspective: str
    name: str
    description: str
    owner: str
    weight: Decimal


@dataclass(slots=True)
class LinkRow:
    row: int
    cause_code: str
    effect_code: str


@dataclass(slots=True)
class AlignmentRow:
    row: int
    child_code: str
    parent_code: str
    weight: Decimal


@dataclass(slots=True)
class MeasureRow:
    row: int
    code: str
    objective_code: str
    name: str
    description: str
    unit: str
    decimals: int
    frequency: str
    polarity: str
    aggregation: str
    tolerance: Decimal
    allow_negative: bool
    owner: str
    stewards: tuple[str, ...]
    weight: Decimal
    formula: str
    missing_as_zero: bool


@dataclass(slots=True)
class TargetRow:
    row: int
    measure_code: str
    period: tuple[int, int]
    goal: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    amber: Decimal | None


@dataclass(slots=True)
class ActualRow:
    row: int
    measure_code: str
    period: tuple[int, int]
    value: Decimal | None
    not_applicable: bool
    analysis: str
    actions: str
    risks: str
    status: str


@dataclass(slots=True)
class InitiativeRow:
    row: int
    code: str
    name: str
    description: str
    owner: str
    objective_codes: tuple[str, ...]
    start_date: date
    end_date: date
    budget: Decimal
    spend: Decimal
    percent_complete: int
    status: str


@dataclass(slots=True)
class MilestoneRow:
    row: int
    initiative_code: str
    name: str
    due_date: date
    completed_on: date | None


# ---------------------------------------------------------------- choices (as the models')

FREQUENCIES = (("monthly", "Monthly"), ("quarterly", "Quarterly"), ("annual", "Annual"))
POLARITIES = (
    (Polarity.HIGHER_IS_BETTER.value, "Higher is better"),
    (Polarity.LOWER_IS_BETTER.value, "Lower is better"),
    (Polarity.WITHIN_BAND.value, "Within a band"),
)
AGGREGATIONS = (
    ("sum", "Sum"),
    ("average", "Average"),
    ("last", "Last value"),
    ("min", "Lowest value"),
    ("max", "Highest value"),
)
ACTUAL_STATUSES = (("draft", "Draft"), ("submitted", "Submitted"), ("approved", "Approved"))
INITIATIVE_STATUSES = (
    ("not_started", "Not started"),
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("off_track", "Off track"),
    ("complete", "Complete"),
    ("cancelled", "Cancelled"),
)

# ---------------------------------------------------------------- column makers


def _code(name: str, meaning: str, example: str, required: bool = True) -> Column:
    return Column(name, Kind.CODE, meaning, example, required, max_length=40)


def _text(name: str, meaning: str, example: str, required=False, length=None) -> Column:
    return Column(name, Kind.TEXT, meaning, example, required, max_length=length)


def _whole(name: str, meaning: str, example: str, low: int, high: int, **options) -> Column:
    return Column(name, Kind.WHOLE, meaning, example, low=low, high=high, **options)


def _choice(name: str, meaning: str, example: str, choices, default: str) -> Column:
    return Column(name, Kind.CHOICE, meaning, example, choices=choices, default=default)


def _yes_no(name: str, meaning: str) -> Column:
    return Column(name, Kind.YES_NO, meaning, "No", default=False)


def _user(meaning: str = "The username of the person responsible; they need a login.") -> Column:
    return Column("owner", Kind.USER, meaning, "marcus", max_length=150)


def _weight(meaning: str) -> Column:
    return Column("weight", Kind.WEIGHT, meaning, "1", default=Decimal(1))


def _number(name: str, meaning: str, example: str = "") -> Column:
    return Column(name, Kind.NUMBER, meaning, example)


def _date(name: str, meaning: str, example: str, required: bool = True) -> Column:
    return Column(name, Kind.DATE, meaning, example, required)


def _month() -> Column:
    return Column("period", Kind.MONTH, "The month, as YYYY-MM.", "2025-04", required=True)


_UNIT = "The unit's code, from the Units sheet or already in the scorecard."
_PLAN = "The plan's name, as on the Plans sheet."

# ---------------------------------------------------------------- the table
# fmt: off

UNITS = Sheet("Units", "Organisation units: the council, its directorates, services and teams.", (
    _code("code", "A short code that names the unit for good.", "HOUSING"),
    _text("name", "The unit's name.", "Housing Services", True, 200),
    _code("parent_code", "The unit it sits under; empty at the top of the tree.", "COUNCIL",
          required=False),
), ("code",), UnitRow)

PLANS = Sheet("Plans", "Strategic plans, each for one unit over whole fiscal years.", (
    _code("unit_code", _UNIT, "HOUSING"),
    _text("name", "The plan's name, unique within its unit.", "Housing Plan", True, 200),
    _text("mission", "The mission statement.", "Everyone has a safe home."),
    _text("vision", "The vision statement.", "No one sleeps rough by 2030."),
    _whole("first_year", "The fiscal year the plan starts, named by its first calendar year.",
           "2025", 1900, 2200, required=True),
    _whole("last_year", "The last fiscal year the plan covers.", "2029", 1900, 2200,
           required=True),
), ("unit_code", "name"), PlanRow)

PERSPECTIVES = Sheet("Perspectives", "The bands of each plan's strategy map, top to bottom.", (
    _code("unit_code", _UNIT, "HOUSING"),
    _text("plan", _PLAN, "Housing Plan", True, 200),
    _text("name", "The perspective's name.", "Citizens & Stakeholders", True, 120),
    _whole("order", "Its place on the map, 1 at the top.", "1", 0, 1000, default=0),
    _weight("Its weight in the unit's score."),
), ("unit_code", "plan", "name"), PerspectiveRow)

OBJECTIVES = Sheet("Objectives", "What each unit must achieve, one perspective each.", (
    _code("code", "A short code that names the objective for good.", "HOU-1"),
    _code("unit_code", _UNIT, "HOUSING"),
    _text("plan", _PLAN + " May be empty when the unit has one plan.", "Housing Plan",
          length=200),
    _text("perspective", "The perspective's name in that plan.", "Citizens & Stakeholders",
          True, 120),
    _text("name", "What must be achieved.", "Reduce homelessness", True, 200),
    _text("description", "More detail.", "Fewer households in temporary accommodation."),
    _user(),
    _weight("Its weight within its perspective."),
), ("code",), ObjectiveRow)

LINKS = Sheet("Links", "Cause-effect links: the cause objective drives the effect objective.", (
    _code("cause_code", "The objective that drives the other.", "HOU-2"),
    _code("effect_code", "The objective it drives.", "HOU-1"),
), ("cause_code", "effect_code"), LinkRow)

ALIGNMENTS = Sheet("Alignments",
                   "A child unit's objective supports an objective of the unit directly above.", (
    _code("child_code", "The supporting objective, in the child unit.", "HOU-1"),
    _code("parent_code", "The supported objective, in the parent unit.", "CORP-1"),
    _weight("How much the child counts in the parent objective's score."),
), ("child_code", "parent_code"), AlignmentRow)

MEASURES = Sheet("Measures", "The measures (KPIs) of each objective.", (
    _code("code", "A letter, then letters, digits and _; formulas use it.", "HOMELESS_CASES"),
    _code("objective_code", "The objective it measures.", "HOU-1"),
    _text("name", "The measure's name.", "Households in temporary accommodation", True, 200),
    _text("description", "How it is counted.", "Count on the last day of the month."),
    _text("unit", "Shown after values, e.g. %, £, days, cases.", "cases", length=30),
    _whole("decimals", "Decimal places shown.", "0", 0, 6, default=0),
    _choice("frequency", "How often actuals are entered.", "Monthly", FREQUENCIES, "monthly"),
    _choice("polarity", "Which way is good.", "Lower is better", POLARITIES,
            Polarity.HIGHER_IS_BETTER.value),
    _choice("aggregation", "How months make a quarter, a year or year-to-date.", "Last value",
            AGGREGATIONS, "sum"),
    Column("tolerance", Kind.SHARE, "How far from the goal, as a share of it, a value is "
           "still amber.", "0.1", default=Decimal("0.1"), unit="share, 0.1 = 10 %"),
    _yes_no("allow_negative", "Whether values below zero make sense."),
    _user(),
    Column("stewards", Kind.USERS, "Usernames of others who may enter data, separated by "
           "commas.", "emma, hannah"),
    _weight("Its weight within its objective."),
    _text("formula", "Only for calculated measures: a formula over other measures' codes.",
          "COST / CASES", length=1000),
    _yes_no("missing_as_zero", "In a formula, treat a missing input as 0."),
), ("code",), MeasureRow)

TARGETS = Sheet("Targets", "The target of each measure for each month.", (
    _code("measure_code", "The measure.", "HOMELESS_CASES"),
    _month(),
    _number("goal", "The goal; needed unless the measure is within a band.", "120"),
    _number("lower", "Band measures: the lowest good value."),
    _number("upper", "Band measures: the highest good value."),
    _number("amber", "Optional: the value where red starts (for a band, its tolerance).", "140"),
), ("measure_code", "period"), TargetRow)

ACTUALS = Sheet("Actuals", "The value each measure took in each month, with commentary.", (
    _code("measure_code", "The measure.", "HOMELESS_CASES"),
    _month(),
    _number("value", "The value; empty when not applicable.", "131"),
    _yes_no("not_applicable", "Yes when the month does not apply, e.g. a seasonal service."),
    _text("analysis", "What the figure shows.", "Up after two hostels closed."),
    _text("actions", "What is being done.", "New leases signed."),
    _text("risks", "What could go wrong.", "Winter demand."),
    _choice("status", "Where the figure is in its sign-off.", "Submitted", ACTUAL_STATUSES,
            "draft"),
), ("measure_code", "period"), ActualRow)

INITIATIVES = Sheet("Initiatives", "Projects that deliver objectives.", (
    _code("code", "A short code that names the initiative for good.", "INI-7"),
    _text("name", "The initiative's name.", "Hostel refurbishment", True, 200),
    _text("description", "What it delivers.", "Two hostels reopened."),
    _user(),
    Column("objective_codes", Kind.CODES, "The objectives it delivers, separated by commas.",
           "HOU-1, HOU-2"),
    _date("start_date", "When it starts.", "2025-04-01"),
    _date("end_date", "When it ends.", "2026-03-31"),
    Column("budget", Kind.MONEY, "Its budget.", "250000", default=Decimal(0), unit="£"),
    Column("spend", Kind.MONEY, "Spent so far.", "120000", default=Decimal(0), unit="£"),
    _whole("percent_complete", "How far through it is.", "45", 0, 100, default=0, unit="%"),
    _choice("status", "How it is going.", "On track", INITIATIVE_STATUSES, "not_started"),
), ("code",), InitiativeRow)

MILESTONES = Sheet("Milestones", "Dated steps of each initiative.", (
    _code("initiative_code", "The initiative.", "INI-7"),
    _text("name", "The milestone, unique within its initiative.", "Contractor appointed", True,
          200),
    _date("due_date", "When it is due.", "2025-06-30"),
    _date("completed_on", "When it was done; empty if not yet.", "2025-06-20", required=False),
), ("initiative_code", "name"), MilestoneRow)

# fmt: on

SHEETS: tuple[Sheet, ...] = (
    UNITS, PLANS, PERSPECTIVES, OBJECTIVES, LINKS, ALIGNMENTS, MEASURES, TARGETS, ACTUALS,
    INITIATIVES, MILESTONES,
)  # fmt: skip
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}
BIG_SHEETS = (TARGETS.name, ACTUALS.name)


def row_fields(sheet: Sheet) -> list[str]:
    """The field names of a sheet's row dataclass, without the row number."""
    return [f.name for f in fields(sheet.row_type) if f.name != "row"]


# A row's fields as a plain tuple, in row_fields order (C speed, for the big sheets).
FIELD_VALUES = {sheet.name: attrgetter(*row_fields(sheet)) for sheet in SHEETS}
