"""Fiscal periods, spans of months, aggregation over time and entry deadlines.

Pure functions: no Django, no database. A fiscal year is named by the calendar year in
which it starts (FY 2025 with an April start runs April 2025 to March 2026, "2025/26").
Months inside a fiscal year are numbered 1-12 from its start month; Q1 is months 1-3.

Choices the domain page leaves open, made here:

* A year span's ``number`` is 12, the last month index it covers, as for year-to-date.
* Targets of a span aggregate field by field; the amber threshold (or a band's
  tolerance) is first resolved to an absolute value month by month, so months whose
  thresholds come from a relative tolerance and months with an absolute one add up alike.
  The span's ``tolerance`` is the last month's, for information only.
* Targets of different polarities cannot be combined: ``ValueError``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum

from strategy.scoring import DECIMAL_CONTEXT, Aggregation, Polarity, Target

MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_SATURDAY = 5


def _check_month(month: int, name: str = "month") -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"{name} must be 1 to 12, not {month}")


def fiscal_year_of(year: int, month: int, start_month: int) -> int:
    """The fiscal year (named by its starting calendar year) holding a calendar month."""
    _check_month(month)
    _check_month(start_month, "start_month")
    return year if month >= start_month else year - 1


def fiscal_year_label(fy: int, start_month: int) -> str:
    """The fiscal year as people write it: "2025/26", or "2025" for a January start."""
    _check_month(start_month, "start_month")
    if start_month == 1:
        return str(fy)
    return f"{fy}/{(fy + 1) % 100:02d}"


def fiscal_months(fy: int, start_month: int) -> list[tuple[int, int]]:
    """The twelve (year, month) pairs of a fiscal year, in order."""
    _check_month(start_month, "start_month")
    offsets = (start_month - 1 + i for i in range(12))
    return [(fy + offset // 12, offset % 12 + 1) for offset in offsets]


def fiscal_month_index(year: int, month: int, start_month: int) -> int:
    """The position 1-12 of a calendar month within its fiscal year."""
    _check_month(month)
    _check_month(start_month, "start_month")
    return (month - start_month) % 12 + 1


def quarter_of(year: int, month: int, start_month: int) -> int:
    """The fiscal quarter 1-4 of a calendar month."""
    return (fiscal_month_index(year, month, start_month) - 1) // 3 + 1


class SpanKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR_TO_DATE = "ytd"
    YEAR = "year"


_NUMBER_LIMITS = {
    SpanKind.MONTH: (1, 12),
    SpanKind.QUARTER: (1, 4),
    SpanKind.YEAR_TO_DATE: (1, 12),
    SpanKind.YEAR: (12, 12),
}


@dataclass(frozen=True)
class Span:
    """Months of one fiscal year: a month, a quarter, year-to-date or the whole year.

    ``number`` is the month index for a month, the quarter for a quarter, and the last
    month index included for year-to-date and for the year (always 12).
    """

    kind: SpanKind
    fiscal_year: int
    number: int
    start_month: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SpanKind(self.kind))
        _check_month(self.start_month, "start_month")
        low, high = _NUMBER_LIMITS[self.kind]
        if not low <= self.number <= high:
            raise ValueError(f"a {self.kind} span's number must be {low} to {high}")

    @property
    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the span covers, in time order."""
        all_months = fiscal_months(self.fiscal_year, self.start_month)
        if self.kind is SpanKind.MONTH:
            return all_months[self.number - 1 : self.number]
        if self.kind is SpanKind.QUARTER:
            return all_months[3 * self.number - 3 : 3 * self.number]
        return all_months[: self.number]

    def label(self, start_month: int | None = None) -> str:
        """The span in words: "Oct 2025", "Q3 2025/26", "2025/26 to Oct" or "2025/26"."""
        if start_month is not None and start_month != self.start_month:
            raise ValueError("start_month differs from the one the span was made with")
        year_label = fiscal_year_label(self.fiscal_year, self.start_month)
        last_year, last_month = self.months[-1]
        if self.kind is SpanKind.MONTH:
            return f"{MONTH_ABBREVIATIONS[last_month - 1]} {last_year}"
        if self.kind is SpanKind.QUARTER:
            return f"Q{self.number} {year_label}"
        if self.kind is SpanKind.YEAR_TO_DATE:
            return f"{year_label} to {MONTH_ABBREVIATIONS[last_month - 1]}"
        return year_label


def month_span(year: int, month: int, start_month: int) -> Span:
    """The span of one calendar month."""
    fy = fiscal_year_of(year, month, start_month)
    return Span(SpanKind.MONTH, fy, fiscal_month_index(year, month, start_month), start_month)


def quarter_span(fy: int, q: int, start_month: int) -> Span:
    """The span of quarter q of fiscal year fy."""
    return Span(SpanKind.QUARTER, fy, q, start_month)


def ytd_span(year: int, month: int, start_month: int) -> Span:
    """The span from the start of the fiscal year up to and including a calendar month."""
    fy = fiscal_year_of(year, month, start_month)
    index = fiscal_month_index(year, month, start_month)
    return Span(SpanKind.YEAR_TO_DATE, fy, index, start_month)


def year_span(fy: int, start_month: int) -> Span:
    """The span of a whole fiscal year."""
    return Span(SpanKind.YEAR, fy, 12, start_month)


def aggregate(values: Sequence[Decimal | None], how: Aggregation) -> Decimal | None:
    """Combine values in time order; missing values are skipped, never taken as zero."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    how = Aggregation(how)
    with localcontext(DECIMAL_CONTEXT):
        if how is Aggregation.SUM:
            return sum(present, Decimal(0))
        if how is Aggregation.AVERAGE:
            return sum(present, Decimal(0)) / len(present)
        if how is Aggregation.LAST:
            return present[-1]
        return min(present) if how is Aggregation.MIN else max(present)


def aggregate_targets(targets: Sequence[Target | None], how: Aggregation) -> Target | None:
    """The target of a span from its months' targets, by the same rule as the values."""
    usable = [target for target in targets if target is not None and target.is_usable]
    if not usable:
        return None
    polarity = usable[0].polarity
    if any(target.polarity is not polarity for target in usable):
        raise ValueError("cannot combine targets of different polarities")
    tolerance = usable[-1].tolerance
    if polarity is Polarity.WITHIN_BAND:
        return Target(
            polarity,
            lower=aggregate([t.lower for t in usable], how),
            upper=aggregate([t.upper for t in usable], how),
            amber=aggregate([t.band_tolerance() for t in usable], how),
            tolerance=tolerance,
        )
    return Target(
        polarity,
        goal=aggregate([t.goal for t in usable], how),
        amber=aggregate([t.amber_threshold() for t in usable], how),
        tolerance=tolerance,
    )


def working_day_after(
    year: int, month: int, n: int, holidays: frozenset[date] = frozenset()
) -> date:
    """The n-th working day (Monday to Friday, not a holiday) after a month ends."""
    _check_month(month)
    if n < 1:
        raise ValueError("n must be at least 1")
    day = date(year + month // 12, month % 12 + 1, 1)
    while True:
        if day.weekday() < _SATURDAY and day not in holidays:
            n -= 1
            if n == 0:
                return day
        day += timedelta(days=1)
