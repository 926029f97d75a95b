"""Export a unit's scorecard (and the units under it) to one Excel workbook."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from strategy.models import OrgUnit
from strategy.services.transfer import scorecard_export


class Command(BaseCommand):
    help = "Export a unit and the units under it to an Excel workbook the import can read."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="The code of the unit to export, e.g. COUNCIL.")
        parser.add_argument("file", help="Where to write the .xlsx workbook.")
        parser.add_argument(
            "--without-children", action="store_true", help="Only this unit, not those under it."
        )
        parser.add_argument("--user", help="The username named on the cover sheet.")

    def handle(self, *args, **options):
        try:
            unit = OrgUnit.objects.get(code=options["unit"])
        except OrgUnit.DoesNotExist:
            raise CommandError(f'There is no unit with the code "{options["unit"]}".') from None
        path = Path(options["file"])
        if not path.parent.is_dir():
            raise CommandError(f"There is no folder {path.parent} to write into.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
        counts = scorecard_export(
            unit=unit,
            destination=str(path),
            actor=actor,
            include_children=not options["without_children"],
        )
        for sheet, count in counts.items():
            self.stdout.write(f"{sheet:<14}{count:>10,} row{'s' if count != 1 else ''}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
