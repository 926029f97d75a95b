"""The scorecard project package: settings, URLs, the Celery app and platform pages."""

from scorecard.celery import app as celery_app

__all__ = ["celery_app"]
