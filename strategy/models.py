"""The strategy side: units, plans, perspectives, objectives, measures, targets and actuals.

Names follow the shared domain vocabulary. Arithmetic lives in scoring.py, periods.py and
formulas.py; this module holds data, its constraints and small derived properties.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from strategy import periods
from strategy.scoring import Aggregation, Polarity
from strategy.scoring import Status as ScoringStatus

VALUE_DIGITS = {"max_digits": 24, "decimal_places": 6}
WEIGHT_DIGITS = {"max_digits": 9, "decimal_places": 3}
NON_NEGATIVE = [MinValueValidator(Decimal(0), "Enter a weight of 0 or more.")]
MONEY_NOT_NEGATIVE = [MinValueValidator(Decimal(0), "Enter an amount of £0 or more.")]


def _weight_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        **WEIGHT_DIGITS, default=Decimal(1), validators=NON_NEGATIVE, **kwargs
    )


def _user_field(related_name: str) -> models.ForeignKey:
    """An optional link to a person (owner, enterer); kept if the person is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def _weight_constraint(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(weight__gte=0), name=f"{model}_weight_not_negative")


class OrgUnit(models.Model):
    """A node in the organisation tree: council → directorate → service → team."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(default=0)
    scores_computed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When a roll-up last covered this unit."
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "organisation unit"

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["OrgUnit"]:
        """Parents up to the root, nearest first."""
        chain, unit, seen = [], self.parent, {self.pk}
        while unit is not None and unit.pk not in seen:
            chain.append(unit)
            seen.add(unit.pk)
            unit = unit.parent
        return chain

    def clean(self) -> None:
        if (
            self.parent_id
            and self.pk
            and self.pk in {u.pk for u in [self.parent, *self.parent.ancestors()]}
        ):
            raise ValidationError(
                {"parent": "A unit cannot sit under itself or one of its own children."}
            )


class Plan(models.Model):
    """A strategic plan for a unit over whole fiscal years, with mission and vision."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=200)
    mission = models.TextField(blank=True)
    vision = models.TextField(blank=True)
    first_year = models.PositiveIntegerField(
        help_text="The fiscal year the plan starts, e.g. 2025 for 2025/26."
    )
    last_year = models.PositiveIntegerField(help_text="The last fiscal year the plan covers.")

    class Meta:
        ordering = ["unit__name", "-first_year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="plan_name_unique_per_unit"),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="plan_years_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError(
                {"last_year": "The last year must be the same as or after the first year."}
            )

    def covers(self, fiscal_year: int) -> bool:
        return self.first_year <= fiscal_year <= self.last_year


class Perspective(models.Model):
    """A band of the strategy map, ordered top to bottom, with a weight in the unit score."""

    DEFAULT_NAMES = [
        "Citizens & Stakeholders",
        "Financial Stewardship",
        "Internal Processes",
        "Learning & Growth",
    ]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="perspectives")
    name = models.CharField(max_length=120)
    order = models.PositiveIntegerField(default=0)
    weight = _weight_field()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"], name="perspective_name_unique_per_plan"
            ),
            _weight_constraint("perspective"),
        ]

    def __str__(self) -> str:
        return self.name


class Objective(models.Model):
    """What a unit must achieve, in one perspective, with an owner and a weight."""

    code = models.CharField(max_length=40, unique=True)
    perspective = models.ForeignKey(
        Perspective, on_delete=models.PROTECT, related_name="objectives"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = _user_field("owned_objectives")
    weight = _weight_field()
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["perspective__order", "order", "code"]
        constraints = [_weight_constraint("objective")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def unit(self) -> OrgUnit:
        return self.perspective.plan.unit


class CauseEffectLink(models.Model):
    """This objective (cause) drives that one (effect). The links form a graph without cycles."""

    cause = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="drives_links")
    effect = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="driven_by_links")

    class Meta:
        verbose_name = "cause–effect link"
        constraints = [
            models.UniqueConstraint(fields=["cause", "effect"], name="link_unique"),
            models.CheckConstraint(condition=~Q(cause=F("effect")), name="link_not_to_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.cause.code} drives {self.effect.code}"

    def clean(self) -> None:
        from strategy.graphs import link_would_cycle

        if (
            self.cause_id
            and self.effect_id
            and link_would_cycle(self.cause_id, self.effect_id, self.pk)
        ):
            raise ValidationError(
                f"{self.cause.code} cannot drive {self.effect.code}: "
                f"{self.effect.code} already drives {self.cause.code}, directly or through others."
            )


class Alignment(models.Model):
    """A child unit's objective supports an objective of its parent unit, with a weight."""

    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="supports")
    parent = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="supported_by")
    weight = _weight_field()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="alignment_unique"),
            _weight_constraint("alignment"),
        ]

    def __str__(self) -> str:
        return f"{self.child.code} supports {self.parent.code}"

    def clean(self) -> None:
        if not (self.child_id and self.parent_id):
            return
        if self.child.unit.parent_id != self.parent.unit.pk:
            raise ValidationError(
                f"{self.child.code} belongs to {self.child.unit}, which is not directly under "
                f"{self.parent.unit}: an objective can only support an objective of its "
                "parent unit."
            )


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


POLARITY_CHOICES = [
    (Polarity.HIGHER_IS_BETTER.value, "Higher is better"),
    (Polarity.LOWER_IS_BETTER.value, "Lower is better"),
    (Polarity.WITHIN_BAND.value, "Within a band"),
]
AGGREGATION_CHOICES = [
    (Aggregation.SUM.value, "Sum"),
    (Aggregation.AVERAGE.value, "Average"),
    (Aggregation.LAST.value, "Last value"),
    (Aggregation.MIN.value, "Lowest value"),
    (Aggregation.MAX.value, "Highest value"),
]


class Measure(models.Model):
    """A KPI: how an objective is measured. A formula makes it calculated from others."""

    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="Letters, digits and underscores, starting with a letter; formulas use it.",
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measures")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(
        max_length=30, blank=True, help_text="Shown after values, e.g. %, £, days, cases."
    )
    decimals = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(6)])
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    polarity = models.CharField(
        max_length=10, choices=POLARITY_CHOICES, default=Polarity.HIGHER_IS_BETTER.value
    )
    aggregation = models.CharField(
        max_length=10, choices=AGGREGATION_CHOICES, default=Aggregation.SUM.value
    )
    tolerance = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal(0), "Enter a tolerance of 0 or more.")],
        help_text="How far from the goal, as a share of it, a value is still amber (0.10 = 10 %).",
    )
    allow_negative = models.BooleanField(
        default=False, help_text="Whether values below zero make sense."
    )
    owner = _user_field("owned_measures")
    stewards = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="stewarded_measures"
    )
    weight = _weight_field()
    formula = models.CharField(
        max_length=1000,
        blank=True,
        help_text="Only for calculated measures, e.g. COST_TOTAL / CASES_CLOSED.",
    )
    missing_as_zero = models.BooleanField(
        default=False,
        help_text="In a formula, treat a missing input as 0 instead of making the result missing.",
    )
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["order", "description"])

    class Meta:
        ordering = ["objective__code", "order", "code"]
        constraints = [
            _weight_constraint("measure"),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="measure_tolerance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=6), name="measure_decimals_at_most_six"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_calculated(self) -> bool:
        return bool(self.formula.strip())

    @property
    def is_percentage(self) -> bool:
        return self.unit.strip() == "%"

    def clean(self) -> None:
        from strategy.formulas import FormulaError
        from strategy.graphs import formula_check

        if not self.is_calculated:
            return
        try:
            formula_check(self.code, self.formula)
        except FormulaError as error:
            raise ValidationError({"formula": str(error)}) from None

    def reports_in(self, period: "Period") -> bool:
        """Whether actuals are due in this month, by the measure's frequency."""
        index = period.fiscal_month_index
        if self.frequency == Frequency.QUARTERLY:
            return index % 3 == 0
        if self.frequency == Frequency.ANNUAL:
            return index == 12
        return True


class Period(models.Model):
    """A calendar month, placed in its fiscal year by the FISCAL_YEAR_START_MONTH setting."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    year = models.PositiveIntegerField()
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    state = models.CharField(max_length=6, choices=State.choices, default=State.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="period_unique_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="period_month_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return date(self.year, self.month, 1).strftime("%b %Y")

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def fiscal_year(self) -> int:
        return periods.fiscal_year_of(self.year, self.month, settings.FISCAL_YEAR_START_MONTH)

    @property
    def fiscal_month_index(self) -> int:
        return periods.fiscal_month_index(self.year, self.month, settings.FISCAL_YEAR_START_MONTH)


class Target(models.Model):
    """The goal for a measure in a period (or a band), with optional absolute amber threshold."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="targets")
    goal = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    lower = models.DecimalField(
        **VALUE_DIGITS, null=True, blank=True, help_text="Band measures: lowest good value."
    )
    upper = models.DecimalField(
        **VALUE_DIGITS, null=True, blank=True, help_text="Band measures: highest good value."
    )
    amber = models.DecimalField(
        **VALUE_DIGITS,
        null=True,
        blank=True,
        help_text="Optional absolute threshold where red starts (for a band, the tolerance width).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="target_unique_per_period"),
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(upper__isnull=True) | Q(lower__lte=F("upper")),
                name="target_band_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Target for {self.measure.code}, {self.period}"

    def clean(self) -> None:
        polarity = self.measure.polarity if self.measure_id else None
        if polarity == Polarity.WITHIN_BAND:
            if self.lower is None or self.upper is None:
                raise ValidationError("A band measure needs both a lower and an upper limit.")
            if self.lower > self.upper:
                raise ValidationError(
                    {"upper": "The upper limit must be at least the lower limit."}
                )
        elif polarity and self.goal is None:
            raise ValidationError({"goal": "Enter the goal for this period."})
        self._check_amber_side(polarity)

    def _check_amber_side(self, polarity: str | None) -> None:
        if self.amber is None or polarity is None:
            return
        if polarity == Polarity.WITHIN_BAND and self.amber < 0:
            raise ValidationError({"amber": "The tolerance of a band cannot be below 0."})
        if self.goal is None or polarity == Polarity.WITHIN_BAND:
            return
        higher = polarity == Polarity.HIGHER_IS_BETTER
        if (higher and self.amber > self.goal) or (not higher and self.amber < self.goal):
            side = "below" if higher else "above"
            raise ValidationError(
                {"amber": f"The amber threshold must be {side} the goal, or equal to it."}
            )


class Actual(models.Model):
    """The value a measure took in a period, with commentary, status and who entered it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="actuals")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="actuals")
    value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True)
    not_applicable = models.BooleanField(
        default=False, help_text="Not applicable this period, e.g. a seasonal service."
    )
    analysis = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    entered_by = _user_field("+")
    entered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save, to refuse lost updates."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="actual_unique_per_period"),
            models.CheckConstraint(
                condition=Q(not_applicable=True, value__isnull=True)
                | Q(not_applicable=False, value__isnull=False),
                name="actual_value_or_not_applicable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code}, {self.period}"

    @property
    def commentary(self) -> str:
        return "\n\n".join(part for part in (self.analysis, self.actions, self.risks) if part)


class Initiative(models.Model):
    """A project that delivers objectives; shown beside them, never part of their score."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = _user_field("owned_initiatives")
    objectives = models.ManyToManyField(Objective, related_name="initiatives", blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal(0), validators=MONEY_NOT_NEGATIVE
    )
    spend = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal(0), validators=MONEY_NOT_NEGATIVE
    )
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    history = HistoricalRecords(excluded_fields=["description"])

    class Meta:
        ordering = ["start_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="initiative_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="initiative_percent_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0, spend__gte=0), name="initiative_money_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": "The end date must be the same as or after the start date."}
            )


class Milestone(models.Model):
    """A dated step of an initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["initiative", "due_date"]

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, as_of: date) -> bool:
        return self.completed_on is None and self.due_date < as_of


class ScoreLevel(models.TextChoices):
    MEASURE = "measure", "Measure"
    OBJECTIVE = "objective", "Objective"
    PERSPECTIVE = "perspective", "Perspective"
    UNIT = "unit", "Organisation unit"


SPAN_CHOICES = [
    (periods.SpanKind.MONTH.value, "Month"),
    (periods.SpanKind.QUARTER.value, "Quarter"),
    (periods.SpanKind.YEAR_TO_DATE.value, "Year to date"),
    (periods.SpanKind.YEAR.value, "Fiscal year"),
]
STATUS_CHOICES = [(status.value, status.label) for status in ScoringStatus]


class Score(models.Model):
    """A stored result of the roll-up: one item (measure … unit) over one span of months.

    Dashboards read only these. `computed_at` moves only when the row's content changes,
    so running a roll-up twice leaves the rows identical.
    """

    level = models.CharField(max_length=11, choices=ScoreLevel.choices)
    ref_id = models.BigIntegerField(
        help_text="The id of the measure, objective, perspective or unit."
    )
    # No database foreign key: these rows are derived, written a million at a time, and a
    # full roll-up removes those of deleted units itself.
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    span_kind = models.CharField(max_length=7, choices=SPAN_CHOICES)
    fiscal_year = models.PositiveIntegerField()
    span_number = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=40, decimal_places=12, null=True)
    goal = models.DecimalField(max_digits=40, decimal_places=12, null=True)
    score = models.DecimalField(max_digits=20, decimal_places=15, null=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES)
    with_data = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "ref_id", "span_kind", "fiscal_year", "span_number"],
                name="score_unique_per_item_and_span",
            )
        ]
        indexes = [models.Index(fields=["unit", "fiscal_year"], name="score_unit_year")]

    def __str__(self) -> str:
        return f"{self.level} {self.ref_id} {self.span_kind} {self.fiscal_year}/{self.span_number}"

    @property
    def coverage_text(self) -> str:
        return f"{self.with_data} of {self.total} with data"


class RollupRun(models.Model):
    """One roll-up: what it covered, why it ran, how long it took and how it ended."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        CHANGE = "change", "A change to data"
        NIGHTLY = "nightly", "Nightly schedule"
        PERIOD_CLOSE = "period_close", "A period was closed"
        MANUAL = "manual", "Started by the performance team"
        COMMAND = "command", "Management command"

    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    full = models.BooleanField(default=False, help_text="Every unit and every fiscal year.")
    unit_ids = models.JSONField(default=list, blank=True)
    fiscal_years = models.JSONField(default=list, blank=True)
    requested_by = _user_field("+")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.QUEUED)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "requested_at"], name="rollup_outcome_requested")
        ]

    def __str__(self) -> str:
        return f"Roll-up {self.pk} ({self.get_outcome_display()})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RollupRequest(models.Model):
    """A unit and fiscal year waiting to be recomputed; a burst of changes shares one row."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveIntegerField()
    requested_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "fiscal_year"], name="rollup_request_unique")
        ]

    def __str__(self) -> str:
        return f"Recompute {self.unit_id} for {self.fiscal_year}"
