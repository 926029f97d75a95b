"""The Django admin, arranged for a performance team building a scorecard."""

from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from strategy import services
from strategy.models import (
    Actual,
    Alignment,
    CauseEffectLink,
    Initiative,
    Measure,
    Milestone,
    Objective,
    OrgUnit,
    Period,
    Perspective,
    Plan,
    Target,
)

SCORED = (Actual, Target, Measure, Objective, Perspective, Alignment)


class SourceAdmin(SimpleHistoryAdmin):
    """Admin saves record their source in history and ask for the roll-up they affect."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = "admin"
        super().save_model(request, obj, form, change)
        if isinstance(obj, SCORED):
            services.scores_request_for([obj], actor=request.user)

    def delete_model(self, request, obj):
        affected = services.affected_by([obj]) if isinstance(obj, SCORED) else None
        super().delete_model(request, obj)
        if affected is not None:
            services.scores_request(
                unit_ids=affected[0], fiscal_years=affected[1], actor=request.user
            )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            instance._change_reason = "admin"
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()
        scored = [i for i in [*instances, form.instance] if isinstance(i, SCORED)]
        if scored:
            services.scores_request_for(scored, actor=request.user)


class PerspectiveInline(admin.TabularInline):
    model = Perspective
    extra = 0
    fields = ["order", "name", "weight"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["name", "due_date", "completed_on"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["period", "goal", "lower", "upper", "amber"]
    autocomplete_fields = ["period"]
    show_change_link = True


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    fields = ["code", "name", "unit", "polarity", "weight", "owner"]
    autocomplete_fields = ["owner"]
    show_change_link = True


class DrivesInline(admin.TabularInline):
    model = CauseEffectLink
    fk_name = "cause"
    extra = 0
    verbose_name = "objective this one drives"
    verbose_name_plural = "objectives this one drives (cause–effect links)"
    autocomplete_fields = ["effect"]


class SupportsInline(admin.TabularInline):
    model = Alignment
    fk_name = "child"
    extra = 0
    verbose_name = "parent unit objective this one supports"
    verbose_name_plural = "parent unit objectives this one supports (alignment)"
    autocomplete_fields = ["parent"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "order"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "first_year", "last_year"]
    list_filter = ["unit"]
    search_fields = ["name", "unit__name", "mission", "vision"]
    inlines = [PerspectiveInline]


@admin.register(Perspective)
class PerspectiveAdmin(SourceAdmin):
    list_display = ["name", "plan", "order", "weight"]
    list_filter = ["plan"]
    search_fields = ["name", "plan__name"]


@admin.register(Objective)
class ObjectiveAdmin(SourceAdmin):
    list_display = ["code", "name", "perspective", "unit_name", "owner", "weight"]
    list_filter = ["perspective__plan__unit", "perspective__name"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["owner"]
    list_select_related = ["perspective__plan__unit", "owner"]
    inlines = [MeasureInline, DrivesInline, SupportsInline]

    @admin.display(description="Unit", ordering="perspective__plan__unit__name")
    def unit_name(self, objective: Objective) -> str:
        return objective.perspective.plan.unit.name


@admin.register(CauseEffectLink)
class CauseEffectLinkAdmin(admin.ModelAdmin):
    list_display = ["cause", "effect"]
    search_fields = ["cause__code", "cause__name", "effect__code", "effect__name"]
    autocomplete_fields = ["cause", "effect"]
    list_select_related = ["cause", "effect"]


@admin.register(Alignment)
class AlignmentAdmin(SourceAdmin):
    list_display = ["child", "parent", "weight"]
    search_fields = ["child__code", "child__name", "parent__code", "parent__name"]
    autocomplete_fields = ["child", "parent"]
    list_select_related = ["child", "parent"]


@admin.register(Measure)
class MeasureAdmin(SourceAdmin):
    list_display = [
        "code",
        "name",
        "objective",
        "unit",
        "frequency",
        "polarity",
        "aggregation",
        "owner",
        "weight",
    ]
    list_filter = ["frequency", "polarity", "aggregation", "objective__perspective__plan__unit"]
    search_fields = ["code", "name", "description", "formula"]
    autocomplete_fields = ["objective", "owner", "stewards"]
    list_select_related = ["objective", "owner"]
    inlines = [TargetInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "objective", "description", "owner", "stewards", "weight"]},
        ),
        ("Values", {"fields": ["unit", "decimals", "allow_negative", "frequency", "aggregation"]}),
        ("Scoring", {"fields": ["polarity", "tolerance"]}),
        ("Calculated measure", {"fields": ["formula", "missing_as_zero"], "classes": ["collapse"]}),
    ]


@admin.register(Period)
class PeriodAdmin(SourceAdmin):
    list_display = ["label", "year", "month", "state"]
    list_filter = ["state", "year"]
    search_fields = ["year"]
    ordering = ["-year", "-month"]
    readonly_fields = ["state"]
    actions = ["close_periods"]

    @admin.action(description="Close the selected periods to data entry")
    def close_periods(self, request, queryset):
        closed = [
            services.period_close(period=period, actor=request.user)
            for period in queryset.filter(state=Period.State.OPEN)
        ]
        self.message_user(request, f"Closed {len(closed)}; their fiscal years are being rolled up.")


@admin.register(Target)
class TargetAdmin(SourceAdmin):
    list_display = ["measure", "period", "goal", "lower", "upper", "amber"]
    list_filter = ["period__year", "measure__polarity"]
    search_fields = ["measure__code", "measure__name"]
    autocomplete_fields = ["measure", "period"]
    list_select_related = ["measure", "period"]


@admin.register(Actual)
class ActualAdmin(SourceAdmin):
    list_display = [
        "measure",
        "period",
        "value",
        "not_applicable",
        "status",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["status", "not_applicable", "period__year"]
    search_fields = ["measure__code", "measure__name", "analysis", "actions", "risks"]
    autocomplete_fields = ["measure", "period"]
    list_select_related = ["measure", "period", "entered_by"]
    readonly_fields = ["entered_by", "entered_at", "version"]

    def save_model(self, request, obj, form, change):
        obj.entered_by, obj.entered_at = request.user, timezone.now()
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Initiative)
class InitiativeAdmin(SourceAdmin):
    list_display = [
        "code",
        "name",
        "owner",
        "status",
        "start_date",
        "end_date",
        "percent_complete",
        "budget",
        "spend",
    ]
    list_filter = ["status"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["owner", "objectives"]
    list_select_related = ["owner"]
    inlines = [MilestoneInline]
