"""Import a whole scorecard from one Excel workbook: every problem, or a summary of changes."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from strategy.services.transfer import ImportResult, scorecard_import


def summary_lines(result: ImportResult) -> list[str]:
    """The counts per sheet as a plain-text table."""
    lines = [f"{'Sheet':<14}{'New':>10}{'Changed':>10}{'Unchanged':>12}"]
    for sheet, counts in result.counts.items():
        lines.append(
            f"{sheet:<14}{counts.created:>10,}{counts.updated:>10,}{counts.unchanged:>12,}"
        )
    return lines


class Command(BaseCommand):
    help = "Import a whole scorecard from an Excel workbook laid out as docs/import-format.md says."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx workbook to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count the changes; write nothing."
        )
        parser.add_argument(
            "--user", help="The username recorded as having imported the rows (history, actuals)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        actor = self._actor(options["user"])
        result = scorecard_import(workbook=str(path), actor=actor, dry_run=options["dry_run"])
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            if result.more_problems:
                self.stderr.write(f"... and {result.more_problems:,} more problems not listed.")
            count = result.problem_count
            raise CommandError(
                f"The workbook has {count:,} problem{'s' if count != 1 else ''}, "
                "so nothing was imported."
            )
        for line in summary_lines(result):
            self.stdout.write(line)
        done = "Dry run: nothing was written." if result.dry_run else "Imported."
        self.stdout.write(self.style.SUCCESS(done))

    def _actor(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f'There is no user with the username "{username}".') from None
