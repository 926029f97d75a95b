"""Roll-ups for the performance team: recent runs, freshness per unit, start a full one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from strategy import selectors, services
from strategy.models import RollupRun
from strategy.permissions import role_required
from strategy.roles import Role


def _context() -> dict:
    return {
        "runs": selectors.rollup_runs_recent(),
        "units": selectors.units_with_freshness(),
        "active": selectors.rollup_active(),
        "full_active": selectors.rollup_full_active(),
    }


@role_required(Role.PERFORMANCE_TEAM)
def rollup_list(request):
    """Recent roll-ups with duration and outcome, and each unit's freshness."""
    return render(request, "strategy/rollups.html", _context())


@role_required(Role.PERFORMANCE_TEAM)
def rollup_rows(request):
    """The same tables alone, refreshed in place by htmx while a roll-up is active."""
    return render(request, "strategy/_rollup_tables.html", _context())


@require_POST
@role_required(Role.PERFORMANCE_TEAM)
def rollup_start(request):
    """Queue a full roll-up of every unit and year."""
    services.scores_recompute_all(trigger=RollupRun.Trigger.MANUAL, actor=request.user)
    messages.success(request, "Full roll-up queued. This page updates when it has finished.")
    return redirect("strategy:rollups")
