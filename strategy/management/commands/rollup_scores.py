"""Recompute every stored score now, with a progress bar and a summary."""

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from tqdm import tqdm

from strategy.models import RollupRun, Score
from strategy.services import rollup

STEPS = {"postgresql": 6, "sqlite": 2}


class Command(BaseCommand):
    help = "Run a full roll-up of every unit and fiscal year in this process."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="Only this fiscal year."
        )

    def handle(self, *args, **options):
        run = RollupRun.objects.create(
            trigger=RollupRun.Trigger.COMMAND,
            full=True,
            fiscal_years=sorted(options["years"] or []),
            requested_at=timezone.now(),
        )
        total = STEPS.get(connection.vendor, 2)
        with tqdm(total=total, desc="Roll-up", unit="step", file=self.stderr) as bar:

            def step(name: str) -> None:
                bar.set_postfix_str(name)
                bar.update(1)

            rollup.scores_recompute(run=run, on_step=step)
        self._summary(run)

    def _summary(self, run: RollupRun) -> None:
        counts = dict(
            Score.objects.filter(span_kind="month").values_list("status").annotate(n=Count("id"))
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Roll-up {run.pk} {run.get_outcome_display().lower()} in "
                f"{run.duration_seconds:.1f} s: {run.rows_written:,} rows written, "
                f"{Score.objects.count():,} scores stored."
            )
        )
        for status, number in sorted(counts.items()):
            self.stdout.write(f"  {status.replace('_', ' ')}: {number:,} monthly scores")
