"""Schedule the worker heartbeat in django-celery-beat, so it shows in the admin."""

from django.db import migrations

TASK_NAME = "Worker heartbeat"


def schedule(apps, schema_editor):
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _ = interval_model.objects.get_or_create(every=5, period="minutes")
    task_model.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "scorecard.heartbeat_send",
            "interval": every_five,
            "description": "Proves a worker is taking tasks; shown on the background jobs page.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scorecard", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
