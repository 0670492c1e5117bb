from django.core.management.base import BaseCommand

from undersigned.jobs.upkeep import jobs_prune


class Command(BaseCommand):
    help = "Delete finished background jobs older than UNDERSIGNED_JOBS_KEEP_DAYS."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {jobs_prune()} finished jobs")
