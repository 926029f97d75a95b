"""Measure scores on the 0-10 scale, their status, and weighted roll-ups.

Pure arithmetic over ``Decimal``: no Django, no database. The rules are those of
docs/domain.md, "Arithmetic":

* A measure's score is linear in the actual *x*, clamped to 0-10:
  ``score = clamp(10/3 * (1 + (x - A) / w), 0, 10)`` with goal *G*, amber threshold *A*
  and ``w = G - A`` (negative when lower is better; the same formula holds).
* Within a band [L, U] with tolerance *w*: 20/3 at either edge rising to 10 at the
  midpoint; outside, 10/3 less for each *w* of distance from the nearer edge, floor 0.
* Degenerate thresholds (A == G, or a band with w == 0): 10 when the actual meets or
  beats the goal (is inside the band), 0 otherwise.

Choices the domain page leaves open, made here:

* The amber threshold. For higher is better ``A = G - |G| * tolerance``; for lower is
  better ``A = G + |G| * tolerance``; an explicit absolute ``amber`` wins over the
  tolerance. ``|G|`` keeps the threshold on the losing side of a negative goal.
* The band tolerance *w* is the explicit absolute ``amber`` when given, else
  ``tolerance * (U - L)`` when U > L, else ``tolerance * |U|`` (a one-point band).
* ``tolerance`` defaults to 10 %.
* A target with an amber on the wrong side of its goal (above it when higher is better,
  below it when lower is better), a band with L > U, a negative tolerance or a
  non-finite number is refused with ``ValueError``: it is a data-entry error, not a score.
* Each score is computed as one division of exact products (``10 * (x - A + w) / (3 * w)``)
  so that an actual exactly at the goal scores exactly ``GREEN_FROM``; ``10/3 * 2`` would
  land one unit in the last place below it and turn a met goal amber.
* Roll-ups compute in a wider context and round once to the working precision, so a mean
  never strays outside the range of the scores it averages.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum

# Explicit contexts, so a caller's global decimal settings never change a score.
DECIMAL_CONTEXT = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_WIDE_CONTEXT = DECIMAL_CONTEXT.copy()
_WIDE_CONTEXT.prec = 60

ZERO = Decimal(0)
MAX_SCORE = Decimal(10)
GREEN_FROM = DECIMAL_CONTEXT.divide(Decimal(20), Decimal(3))
AMBER_FROM = DECIMAL_CONTEXT.divide(Decimal(10), Decimal(3))
DEFAULT_TOLERANCE = Decimal("0.10")


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"
    WITHIN_BAND = "band"


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    LAST = "last"
    MIN = "min"
    MAX = "max"


class Status(StrEnum):
    ON_TARGET = "on_target"
    NEAR_TARGET = "near_target"
    OFF_TARGET = "off_target"
    NO_DATA = "no_data"
    NOT_APPLICABLE = "not_applicable"
    OVERDUE = "overdue"
    NO_TARGET = "no_target"

    @property
    def label(self) -> str:
        """The status in words, as shown beside a colour."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.ON_TARGET: "On target",
    Status.NEAR_TARGET: "Near target",
    Status.OFF_TARGET: "Off target",
    Status.NO_DATA: "No data",
    Status.NOT_APPLICABLE: "N/A",
    Status.OVERDUE: "Overdue",
    Status.NO_TARGET: "No target",
}


@dataclass(frozen=True)
class Target:
    """A measure's target for one period; see the module docstring for the rules."""

    polarity: Polarity
    goal: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    amber: Decimal | None = None
    tolerance: Decimal = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        # Model fields hand us plain strings; accept them so callers need not convert.
        object.__setattr__(self, "polarity", Polarity(self.polarity))
        for name in ("goal", "lower", "upper", "amber", "tolerance"):
            _require_finite(getattr(self, name), name)
        if self.tolerance < 0:
            raise ValueError("tolerance must not be negative")
        if self.polarity is Polarity.WITHIN_BAND:
            self._check_band()
        else:
            self._check_amber_side()

    def _check_band(self) -> None:
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError("the lower end of a band must not exceed its upper end")
        if self.amber is not None and self.amber < 0:
            raise ValueError("a band's tolerance must not be negative")

    def _check_amber_side(self) -> None:
        if self.goal is None or self.amber is None:
            return
        higher = self.polarity is Polarity.HIGHER_IS_BETTER
        if (higher and self.amber > self.goal) or (not higher and self.amber < self.goal):
            raise ValueError("the amber threshold is on the wrong side of the goal")

    @property
    def is_usable(self) -> bool:
        """True when the target has what its polarity needs to score an actual."""
        if self.polarity is Polarity.WITHIN_BAND:
            return self.lower is not None and self.upper is not None
        return self.goal is not None

    def amber_threshold(self) -> Decimal | None:
        """The value at which a higher- or lower-is-better measure stops being red."""
        if self.polarity is Polarity.WITHIN_BAND or self.goal is None:
            return None
        if self.amber is not None:
            return self.amber
        with localcontext(DECIMAL_CONTEXT):
            margin = abs(self.goal) * self.tolerance
            if self.polarity is Polarity.HIGHER_IS_BETTER:
                return self.goal - margin
            return self.goal + margin

    def band_tolerance(self) -> Decimal | None:
        """The distance w outside a band over which the score falls by 10/3."""
        low, high = self.lower, self.upper
        if self.polarity is not Polarity.WITHIN_BAND or low is None or high is None:
            return None
        if self.amber is not None:
            return self.amber
        with localcontext(DECIMAL_CONTEXT):
            if high > low:
                return self.tolerance * (high - low)
            return self.tolerance * abs(high)


@dataclass(frozen=True)
class ScoreResult:
    value: Decimal | None
    score: Decimal | None
    status: Status


@dataclass(frozen=True)
class RollUp:
    score: Decimal | None
    with_data: int
    total: int

    @property
    def coverage_text(self) -> str:
        """How many items had data, e.g. "4 of 5 with data"."""
        return f"{self.with_data} of {self.total} with data"

    @property
    def status(self) -> Status:
        """The status of the rolled-up score; no data when no item had any."""
        return status_for(self.score)


def measure_score(actual: Decimal | None, target: Target | None) -> Decimal | None:
    """The 0-10 score of an actual against its target, or None without both."""
    if actual is None or target is None or not target.is_usable:
        return None
    _require_finite(actual, "actual")
    with localcontext(DECIMAL_CONTEXT):
        if target.polarity is Polarity.WITHIN_BAND:
            return _band_score(actual, target.lower, target.upper, target.band_tolerance())
        higher = target.polarity is Polarity.HIGHER_IS_BETTER
        return _linear_score(actual, target.goal, target.amber_threshold(), higher=higher)


def _linear_score(
    x: Decimal, goal: Decimal | None, amber: Decimal | None, *, higher: bool
) -> Decimal | None:
    if goal is None or amber is None:
        return None
    if amber == goal:
        meets = x >= goal if higher else x <= goal
        return MAX_SCORE if meets else ZERO
    w = goal - amber
    return _clamp(10 * (x - amber + w) / (3 * w))


def _band_score(
    x: Decimal, low: Decimal | None, high: Decimal | None, w: Decimal | None
) -> Decimal | None:
    if low is None or high is None or w is None:
        return None
    if low <= x <= high:
        if low == high:
            return MAX_SCORE
        width = high - low
        # |2x - L - U| is twice the distance from the midpoint, kept exact.
        return (30 * width - 10 * abs(2 * x - low - high)) / (3 * width)
    if w == 0:
        return ZERO
    distance = low - x if x < low else x - high
    return _clamp((20 * w - 10 * distance) / (3 * w))


def _clamp(score: Decimal) -> Decimal:
    # Return the constants at the ends so a clamped score is never "-0" or "1E+1".
    if score <= 0:
        return ZERO
    if score >= MAX_SCORE:
        return MAX_SCORE
    return score


def status_for(
    score: Decimal | None,
    *,
    has_target: bool = True,
    not_applicable: bool = False,
    overdue: bool = False,
) -> Status:
    """The status of a score: N/A, then no target, then no data or overdue, then colour."""
    if not_applicable:
        return Status.NOT_APPLICABLE
    if not has_target:
        return Status.NO_TARGET
    if score is None:
        return Status.OVERDUE if overdue else Status.NO_DATA
    if score >= GREEN_FROM:
        return Status.ON_TARGET
    if score >= AMBER_FROM:
        return Status.NEAR_TARGET
    return Status.OFF_TARGET


def measure_result(
    actual: Decimal | None,
    target: Target | None,
    *,
    not_applicable: bool = False,
    overdue: bool = False,
) -> ScoreResult:
    """The value, score and status of one measure in one period."""
    has_target = target is not None and target.is_usable
    # An N/A period drops out of roll-ups like missing data, so it carries no score.
    score = None if not_applicable else measure_score(actual, target)
    status = status_for(
        score, has_target=has_target, not_applicable=not_applicable, overdue=overdue
    )
    return ScoreResult(value=actual, score=score, status=status)


def weighted_mean(items: Iterable[tuple[Decimal | None, Decimal]]) -> RollUp:
    """The weighted mean of (score, weight) pairs; items without a score drop out."""
    total = 0
    scored: list[tuple[Decimal, Decimal]] = []
    for score, weight in items:
        _require_finite(weight, "weight")
        if weight < 0:
            raise ValueError("weights must not be negative")
        total += 1
        if score is not None:
            _require_finite(score, "score")
            scored.append((score, weight))
    return RollUp(score=_mean(scored), with_data=len(scored), total=total)


def _mean(scored: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    if not scored:
        return None
    with localcontext(_WIDE_CONTEXT):
        weight_sum = sum((weight for _, weight in scored), ZERO)
        if weight_sum == 0:
            # All-zero weights would make the mean 0/0; every item then counts alike.
            mean = sum((score for score, _ in scored), ZERO) / len(scored)
        else:
            mean = sum((score * weight for score, weight in scored), ZERO) / weight_sum
    # Rounding to the working precision may step just outside the inputs; a mean never may.
    low = min(score for score, _ in scored)
    high = max(score for score, _ in scored)
    return min(max(DECIMAL_CONTEXT.plus(mean), low), high)


def _require_finite(value: Decimal | None, name: str) -> None:
    if value is not None and not value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
