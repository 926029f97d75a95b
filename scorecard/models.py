"""Platform records: proof that background workers are alive."""

from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """A ping sent to the task queue and the moment a worker answered it."""

    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        get_latest_by = "sent_at"

    def __str__(self) -> str:
        return f"Heartbeat sent {self.sent_at:%d %b %Y %H:%M:%S}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def wait_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.sent_at).total_seconds()
