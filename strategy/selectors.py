"""Reads shared by views, so each query lives in one place and its count can be asserted."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from strategy.models import OrgUnit, RollupRequest, RollupRun

ACTIVE = [RollupRun.Outcome.QUEUED, RollupRun.Outcome.RUNNING]


@dataclass(frozen=True)
class Freshness:
    """When a unit's scores were computed, and whether a roll-up for it is on its way."""

    computed_at: datetime | None
    recomputing: bool


def rollup_runs_recent(limit: int = 20) -> list[RollupRun]:
    """The latest roll-ups, newest first, with who asked for them."""
    return list(RollupRun.objects.select_related("requested_by")[:limit])


def rollup_active() -> bool:
    """Whether any roll-up is queued or running."""
    return RollupRun.objects.filter(outcome__in=ACTIVE).exists()


def rollup_full_active() -> bool:
    """Whether a roll-up of every unit is queued or running."""
    return RollupRun.objects.filter(outcome__in=ACTIVE, full=True).exists()


def units_with_freshness() -> list[OrgUnit]:
    """Every unit, annotated with `pending` (a change waits to be rolled up)."""
    pending = RollupRequest.objects.filter(unit_id=OuterRef("pk"))
    return list(OrgUnit.objects.annotate(pending=Exists(pending)).order_by("order", "name"))


def unit_freshness(unit: OrgUnit) -> Freshness:
    """Scores computed at T, and "recomputing…" while a roll-up for the unit is due."""
    pending = RollupRequest.objects.filter(unit=unit).exists()
    full = RollupRun.objects.filter(outcome__in=ACTIVE, full=True).exists()
    return Freshness(computed_at=unit.scores_computed_at, recomputing=pending or full)
