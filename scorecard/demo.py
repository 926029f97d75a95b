"""Demo data for a first run: one user per role. Loading it twice changes nothing."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from strategy.roles import Role
from strategy.services import role_groups

DEMO_PASSWORD = "demo-scorecard-2026"  # noqa: S105 - published on purpose, demo only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    is_staff: bool = False


DEMO_USERS = [
    DemoUser("performance", "Priya", "Shah", Role.PERFORMANCE_TEAM, is_staff=True),
    DemoUser("executive", "Edward", "Clarke", Role.EXECUTIVE),
    DemoUser("hr", "Hannah", "Reid", Role.HR),
    DemoUser("manager", "Marcus", "Bell", Role.MANAGER),
    DemoUser("employee", "Emma", "Lowe", Role.EMPLOYEE),
]


@transaction.atomic
def demo_users_load() -> list[DemoUser]:
    """Create the demo users with their roles; existing ones are left as they are."""
    groups = role_groups()
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@example.org",
                "is_staff": demo.is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(groups[demo.role])
    return DEMO_USERS
