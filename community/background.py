"""Deferring work to Procrastinate's workers (forums/tasks.py, accounts/tasks.py).

A task is deferred in the same transaction as the write that causes it: its row in
procrastinate_jobs commits with the write, so a committed post always gets its
notifications, and a rolled-back one never does."""

from django.conf import settings


def defer(task, **arguments):
    """Queues `task` with `arguments` in the current transaction, for a worker to run once
    the write commits. With HEARTH_TASKS_EAGER (the test suite's setting) it runs here and
    now instead, inside the same transaction, as a worker taking it at once would."""
    if settings.HEARTH_TASKS_EAGER:
        task(**arguments)
    else:
        task.defer(**arguments)
