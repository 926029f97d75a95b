"""Platform tasks: thin wrappers that take ids and call services."""

import socket

from celery import shared_task

from scorecard import services
from scorecard.models import Heartbeat


@shared_task(name="scorecard.heartbeat_answer")
def heartbeat_answer(heartbeat_id: int) -> None:
    """Answer a ping; running it twice changes nothing the second time."""
    heartbeat = Heartbeat.objects.filter(pk=heartbeat_id).first()
    if heartbeat is None:
        return
    request = heartbeat_answer.request
    if request.is_eager:
        worker = f"in-process on {socket.gethostname()}"
    else:
        worker = request.hostname or socket.gethostname()
    services.heartbeat_answer(heartbeat=heartbeat, worker=worker)


@shared_task(name="scorecard.heartbeat_send")
def heartbeat_send() -> None:
    """Scheduled by beat every few minutes, so the status page shows a live worker."""
    services.heartbeat_send_scheduled()
