"""The roles people hold, stored as Django groups (created by a data migration)."""

from enum import StrEnum


class Role(StrEnum):
    """A role is a group name; a user may hold several."""

    PERFORMANCE_TEAM = "Performance team"
    EXECUTIVE = "Executive"
    HR = "HR"
    MANAGER = "Manager"
    EMPLOYEE = "Employee"

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]


ROLE_DESCRIPTIONS = {
    Role.PERFORMANCE_TEAM: "Builds the strategy and opens and closes reporting periods.",
    Role.EXECUTIVE: "Reads strategy maps, scorecards and board packs.",
    Role.HR: "Runs appraisal cycles and moderates ratings.",
    Role.MANAGER: "Enters actuals and commentary for the measures they own.",
    Role.EMPLOYEE: "Agrees and self-assesses their own performance contract.",
}

# Model permissions each role needs in the Django admin, as (app_label, model) pairs.
# Granted after every migrate, because permissions exist only once migrations have run.
# The performance team may also view users, to pick owners in the admin (not change them).
STRATEGY_MODELS = [
    "orgunit",
    "plan",
    "perspective",
    "objective",
    "causeeffectlink",
    "alignment",
    "measure",
    "period",
    "target",
    "actual",
    "initiative",
    "milestone",
]
ADMIN_MODELS = {
    Role.PERFORMANCE_TEAM: [
        *(("strategy", model) for model in STRATEGY_MODELS),
        ("django_celery_beat", "periodictask"),
        ("django_celery_beat", "crontabschedule"),
        ("django_celery_beat", "intervalschedule"),
    ],
}
