"""Load the demo organisation and its users, then print the logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scorecard.demo import DEMO_PASSWORD, demo_users_load
from strategy.demo import demo_organisation_load
from strategy.models import RollupRun
from strategy.services import scores_recompute


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even with DEBUG off. Demo accounts have a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo accounts have a published "
                "password. Use --allow-production if this really is a trial server."
            )
        users = demo_users_load()
        summary = demo_organisation_load()
        # Score the demo at once, in this process, so the first page shown has scores.
        run = RollupRun.objects.create(
            trigger=RollupRun.Trigger.COMMAND, full=True, requested_at=timezone.now()
        )
        scores_recompute(run=run)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of these:"))
        width = max(len(user.username) for user in users)
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}  {DEMO_PASSWORD}   ({user.role.value})")
        self.stdout.write(f"Riverside City Council demo organisation: {summary}.")
        self.stdout.write(f"Scores computed: {run.rows_written:,} rows written.")
