"""Schedule the nightly full roll-up in django-celery-beat (visible and editable in the admin)."""

from django.db import migrations

TASK_NAME = "Nightly score roll-up"


def schedule(apps, schema_editor):
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    at_two, _ = crontab_model.objects.get_or_create(
        minute="0",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    task_model.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "strategy.scores_nightly",
            "crontab": at_two,
            "interval": None,
            "description": "Recomputes every stored score, whatever changed during the day.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0004_scoring_functions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
