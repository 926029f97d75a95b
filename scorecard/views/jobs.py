"""Background jobs: is a worker alive, and what is scheduled (performance team)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_celery_beat.models import PeriodicTask

from scorecard import services
from scorecard.models import Heartbeat
from strategy.permissions import role_required
from strategy.roles import Role


@role_required(Role.PERFORMANCE_TEAM)
def background_jobs(request):
    """The worker's last answers and the periodic schedule."""
    context = {
        "in_process": settings.CELERY_TASK_ALWAYS_EAGER,
        "heartbeats": Heartbeat.objects.select_related("sent_by")[:10],
        "periodic_tasks": PeriodicTask.objects.select_related("interval", "crontab")
        .exclude(name__startswith="celery.")
        .order_by("name"),
    }
    return render(request, "scorecard/background_jobs.html", context)


@role_required(Role.PERFORMANCE_TEAM)
def heartbeats(request):
    """The heartbeat table alone, for htmx to refresh in place."""
    rows = Heartbeat.objects.select_related("sent_by")[:10]
    return render(request, "scorecard/_heartbeat_rows.html", {"heartbeats": rows})


@require_POST
@role_required(Role.PERFORMANCE_TEAM)
def heartbeat_send(request):
    """Send a ping to the workers now."""
    services.heartbeat_send(actor=request.user)
    messages.success(request, "Heartbeat sent. A worker should answer within a few seconds.")
    return redirect("background-jobs")
