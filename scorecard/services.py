"""Platform services: sending and answering worker heartbeats."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from scorecard.models import Heartbeat

KEEP_HEARTBEATS = 50


def heartbeat_send(*, actor=None, as_of: datetime | None = None) -> Heartbeat:
    """Record a ping and queue it for a worker once the row is committed."""
    from scorecard.tasks import heartbeat_answer

    with transaction.atomic():
        heartbeat = Heartbeat.objects.create(sent_at=as_of or timezone.now(), sent_by=actor)
        transaction.on_commit(lambda: heartbeat_answer.delay(heartbeat.pk))
    return heartbeat


def heartbeat_answer(*, heartbeat: Heartbeat, worker: str, as_of: datetime | None = None) -> None:
    """Mark a ping answered by a worker, and forget the oldest ones."""
    if heartbeat.answered_at is None:
        heartbeat.answered_at = as_of or timezone.now()
        heartbeat.worker = worker[:200]
        heartbeat.save(update_fields=["answered_at", "worker"])
    stale = Heartbeat.objects.values_list("pk", flat=True)[KEEP_HEARTBEATS:]
    Heartbeat.objects.filter(pk__in=list(stale)).delete()


def heartbeat_send_scheduled() -> Heartbeat:
    """The periodic ping beat sends, with no user behind it."""
    return heartbeat_send(actor=None)
