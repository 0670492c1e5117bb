from django.core.management.base import BaseCommand

from undersigned.jobs.services import jobs_run_pending, worker_loop


class Command(BaseCommand):
    help = "Run background jobs (emails, list refreshes) from the database queue."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is pending, then exit")
        parser.add_argument("--poll", type=float, default=0.5, help="seconds between polls")

    def handle(self, *args, once: bool = False, poll: float = 0.5, **options):
        if once:
            self.stdout.write(f"ran {jobs_run_pending()} jobs")
            return
        worker_loop(poll_seconds=poll)
