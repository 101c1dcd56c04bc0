from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from forums.services import purge_deleted


class Command(BaseCommand):
    help = "Removes for good the threads and posts deleted more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.HEARTH_RETENTION_DAYS,
            help="Keep deleted posts this many days (default: HEARTH_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        def progress(what, done, total):
            self.stdout.write(f"  {what}: {done}/{total}")

        threads, posts = purge_deleted(older_than=timedelta(days=days), progress=progress)
        self.stdout.write(
            f"Removed {threads} thread(s) and {posts} post(s) deleted more than {days} days ago."
        )
