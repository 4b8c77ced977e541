from __future__ import annotations

import os
from logging.config import dictConfig
from typing import Any

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")

app = Celery("roadmap_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def config_loggers(*args, **kwargs):
    from django.conf import settings

    dictConfig(settings.LOGGING)


def send_now(task: Any, args: tuple) -> None:
    """Queue `task` for a click that must answer: on a connection of its own, so the wait is
    bounded by the broker timeouts in settings alone and the process's producer pool never
    keeps a broker that has gone. Raises the broker's error (kombu's OperationalError, an
    OSError) for the caller to turn into a message. Without a broker the task runs here."""
    if app.conf.task_always_eager:
        task.apply_async(args)
        return
    with app.connection_for_write() as connection:
        task.apply_async(args, connection=connection)
