"""Roll-ups: asking for them when data changes, and running them safely.

A change asks for the units it affects (`scores_request`): one RollupRequest row per unit
and fiscal year, and one queued run whose task waits a few seconds, so a burst of saves
shares a single roll-up. A run (`scores_recompute`) computes and writes everything in one
transaction under a lock per unit; the requests it served are deleted in that same
transaction, so a crash leaves them, and the previous scores, in place for the next run.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from strategy import formulas, periods
from strategy.models import (
    Actual,
    Alignment,
    Measure,
    Objective,
    OrgUnit,
    Period,
    Perspective,
    RollupRequest,
    RollupRun,
    Score,
    Target,
)
from strategy.rollup import inputs, reference, sql

Trigger = RollupRun.Trigger
Outcome = RollupRun.Outcome


def units_with_ancestors(unit_ids: Iterable[int], parents: dict[int, int | None]) -> set[int]:
    """The units and every unit above them: alignment carries scores up the tree."""
    found = set()
    for unit_id in unit_ids:
        while unit_id is not None and unit_id not in found:
            found.add(unit_id)
            unit_id = parents.get(unit_id)
    return found


def measures_reading(measure_ids: Iterable[int]) -> set[int]:
    """These measures and the calculated measures that read them, transitively."""
    calculated = list(Measure.objects.exclude(formula="").values_list("id", "code", "formula"))
    if not calculated:
        return set(measure_ids)
    readers: dict[str, set[tuple[int, str]]] = {}
    for pk, code, text in calculated:
        for name in formulas.parse(text).codes:
            readers.setdefault(name, set()).add((pk, code))
    found = set(measure_ids)
    queue = list(Measure.objects.filter(pk__in=found).values_list("code", flat=True))
    while queue:
        for pk, code in readers.get(queue.pop(), ()):
            if pk not in found:
                found.add(pk)
                queue.append(code)
    return found


def affected_by(objects: Iterable) -> tuple[set[int], set[int] | None]:
    """The units (with ancestors) and fiscal years a change to these objects affects.

    None for the years means every year. Cause-effect links change no score.
    """
    measure_ids, unit_ids, years, all_years = set(), set(), set(), False
    start = settings.FISCAL_YEAR_START_MONTH
    for obj in objects:
        if isinstance(obj, Actual | Target):
            measure_ids.add(obj.measure_id)
            period = obj.period
            years.add(periods.fiscal_year_of(period.year, period.month, start))
        elif isinstance(obj, Measure):
            measure_ids.add(obj.pk)
            all_years = True
        elif isinstance(obj, Objective | Perspective | Alignment):
            unit_ids.add(_unit_of(obj))
            all_years = True
    if measure_ids:
        measures = Measure.objects.filter(pk__in=measures_reading(measure_ids))
        unit_ids |= set(measures.values_list("objective__perspective__plan__unit_id", flat=True))
    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    return units_with_ancestors(unit_ids, parents), (None if all_years else years)


def _unit_of(obj) -> int:
    if isinstance(obj, Alignment):
        return obj.parent.perspective.plan.unit_id
    if isinstance(obj, Objective):
        return obj.perspective.plan.unit_id
    return obj.plan.unit_id


def scores_request(
    *, unit_ids: Iterable[int], fiscal_years: Iterable[int] | None, actor=None
) -> None:
    """Ask for a roll-up of these units after the current transaction commits."""
    from strategy.tasks import scores_drain

    unit_ids = set(unit_ids)
    if not unit_ids:
        return
    years = sorted(fiscal_years) if fiscal_years is not None else inputs.fiscal_years_with_periods()
    now = timezone.now()
    # A newer time on an existing request tells a run already under way that it missed this.
    RollupRequest.objects.bulk_create(
        [
            RollupRequest(unit_id=u, fiscal_year=y, requested_at=now)
            for u in unit_ids
            for y in years
        ],
        update_conflicts=True,
        unique_fields=["unit", "fiscal_year"],
        update_fields=["requested_at"],
    )
    if RollupRun.objects.filter(outcome=Outcome.QUEUED, trigger=Trigger.CHANGE).exists():
        return
    run = RollupRun.objects.create(trigger=Trigger.CHANGE, requested_at=now, requested_by=actor)
    delay = settings.ROLLUP_COALESCE_SECONDS
    transaction.on_commit(lambda: scores_drain.apply_async(args=[run.pk], countdown=delay))


def scores_request_for(objects: Iterable, *, actor=None) -> None:
    """Ask for a roll-up of whatever these changed objects affect."""
    unit_ids, years = affected_by(objects)
    scores_request(unit_ids=unit_ids, fiscal_years=years, actor=actor)


def scores_recompute_all(*, trigger: str, actor=None, fiscal_years=None) -> RollupRun:
    """Queue a full roll-up (every unit) and return its run; the task starts on commit."""
    from strategy.tasks import scores_run

    run = RollupRun.objects.create(
        trigger=trigger,
        full=True,
        fiscal_years=sorted(fiscal_years or []),
        requested_at=timezone.now(),
        requested_by=actor,
    )
    transaction.on_commit(lambda: scores_run.delay(run.pk))
    return run


def scores_drain(*, run: RollupRun, as_of: datetime | None = None) -> RollupRun:
    """Run a roll-up for every pending request; the requests go when it succeeds."""
    # Running before reading: a change from now on queues a run of its own.
    _mark_running(run, as_of or timezone.now())
    requests = list(
        RollupRequest.objects.values_list("pk", "unit_id", "fiscal_year", "requested_at")
    )
    run.unit_ids = sorted({unit for _, unit, _, _ in requests})
    run.fiscal_years = sorted({year for _, _, year, _ in requests})
    run.save(update_fields=["unit_ids", "fiscal_years"])
    served = [(pk, at) for pk, _, _, at in requests]
    return scores_recompute(run=run, served=served, as_of=as_of)


def scores_recompute(
    *,
    run: RollupRun,
    served: list[tuple[int, datetime]] | None = None,
    as_of: datetime | None = None,
    on_step: Callable[[str], None] | None = None,
) -> RollupRun:
    """Compute and store the run's scores in one transaction; record how it went."""
    now = as_of or timezone.now()
    _mark_running(run, now)
    try:
        with transaction.atomic():
            written = _compute_and_store(run, now, on_step or (lambda step: None))
            if run.full:
                RollupRequest.objects.filter(requested_at__lte=run.requested_at).delete()
            elif served:
                _delete_served(served)
            _finish(run, Outcome.SUCCEEDED, rows_written=written)
    except Exception as error:
        _finish(run, Outcome.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        raise
    return run


def _delete_served(served: list[tuple[int, datetime]]) -> None:
    """Delete the requests this run served, unless a change asked again since it read them."""
    unchanged = Q()
    for pk, requested_at in served:
        unchanged |= Q(pk=pk, requested_at=requested_at)
    RollupRequest.objects.filter(unchanged).delete()


def _mark_running(run: RollupRun, now: datetime) -> None:
    run.outcome, run.started_at, run.finished_at, run.error = Outcome.RUNNING, now, None, ""
    run.save(update_fields=["outcome", "started_at", "finished_at", "error"])


def _finish(run: RollupRun, outcome: str, *, rows_written: int = 0, error: str = "") -> None:
    run.outcome, run.finished_at = outcome, timezone.now()
    run.rows_written, run.error = rows_written, error
    run.save(update_fields=["outcome", "finished_at", "rows_written", "error"])


def _compute_and_store(run: RollupRun, now: datetime, on_step: Callable[[str], None]) -> int:
    structure = inputs.load_structure()
    years = run.fiscal_years or inputs.fiscal_years_with_periods()
    if run.full or not run.unit_ids:
        unit_ids = set(structure.unit_parent) if run.full else set()
    else:
        unit_ids = units_with_ancestors(run.unit_ids, structure.unit_parent)
    period_list = inputs.load_periods(years)
    if not unit_ids or not period_list:
        return 0
    if connection.vendor == "postgresql":
        sql.lock_units(sorted(unit_ids))
        on_step("locked the units")
        calculated = inputs.calculated_values(structure, period_list)
        on_step("calculated measures")
        written = sql.run(
            structure, period_list, unit_ids, calculated, now, full=run.full, on_step=on_step
        )
    else:
        rows = reference.compute(structure, period_list)
        on_step("computed every score")
        written = _store_reference(rows, years, now)
        on_step("stored the scores")
        unit_ids = set(structure.unit_parent)
    OrgUnit.objects.filter(pk__in=unit_ids).update(scores_computed_at=now)
    return written


SCORE_FIELDS = ["unit_id", "value", "goal", "score", "status", "with_data", "total", "reason"]


def _store_reference(rows: list[reference.Row], years: list[int], now: datetime) -> int:
    """Write the Python engine's rows: insert new, update changed, delete the vanished."""
    existing = {
        (s.level, s.ref_id, s.span_kind, s.fiscal_year, s.span_number): s
        for s in Score.objects.filter(fiscal_year__in=years)
    }
    new, changed = [], []
    for row in rows:
        key = (row.level, row.ref_id, *row.span)
        fresh = _score_from(row, now)
        old = existing.pop(key, None)
        if old is None:
            new.append(fresh)
        elif not _same(old, fresh):
            fresh.pk = old.pk
            changed.append(fresh)
    Score.objects.bulk_create(new, batch_size=2000)
    Score.objects.bulk_update(changed, [*SCORE_FIELDS, "computed_at"], batch_size=500)
    Score.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
    return len(new) + len(changed) + len(existing)


def _same(old: Score, fresh: Score) -> bool:
    """Equal as stored: SQLite keeps decimals as floats, about 15 significant digits."""
    for name in SCORE_FIELDS:
        a, b = getattr(old, name), getattr(fresh, name)
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            if abs(a - b) > Decimal("1e-9"):
                return False
        elif a != b:
            return False
    return True


def _score_from(row: reference.Row, now: datetime) -> Score:
    kind, fiscal_year, number = row.span
    return Score(
        level=row.level,
        ref_id=row.ref_id,
        unit_id=row.unit_id,
        span_kind=kind,
        fiscal_year=fiscal_year,
        span_number=number,
        value=row.value,
        goal=row.goal,
        score=row.score,
        status=row.status,
        with_data=row.with_data,
        total=row.total,
        reason=row.reason,
        computed_at=now,
    )


def period_close(*, period: Period, actor) -> Period:
    """Close a period to data entry and queue a full roll-up of its fiscal year."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.state == Period.State.CLOSED:
            return period
        period.state = Period.State.CLOSED
        period._change_reason = "closed"
        period.save(update_fields=["state"])
        scores_recompute_all(
            trigger=Trigger.PERIOD_CLOSE, actor=actor, fiscal_years=[period.fiscal_year]
        )
    return period
