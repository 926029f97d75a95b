"""Roll-up tasks: thin, by id, safe to run twice, retried with back-off on database errors."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from strategy.models import RollupRun
from strategy.services import rollup

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="strategy.scores_drain", **RETRY)
def scores_drain(run_id: int) -> None:
    """Roll up everything asked for since the last drain (coalesced on-change roll-up)."""
    run = RollupRun.objects.filter(pk=run_id).first()
    if run is not None and run.outcome != RollupRun.Outcome.SUCCEEDED:
        rollup.scores_drain(run=run)


@shared_task(name="strategy.scores_run", **RETRY)
def scores_run(run_id: int) -> None:
    """Carry out a queued full roll-up."""
    run = RollupRun.objects.filter(pk=run_id).first()
    if run is not None and run.outcome != RollupRun.Outcome.SUCCEEDED:
        rollup.scores_recompute(run=run)


@shared_task(name="strategy.scores_nightly", **RETRY)
def scores_nightly() -> None:
    """Scheduled by beat: a full roll-up of every unit and year, every night."""
    run = RollupRun.objects.create(
        trigger=RollupRun.Trigger.NIGHTLY, full=True, requested_at=rollup.timezone.now()
    )
    rollup.scores_recompute(run=run)
