from django.core.management.base import BaseCommand

from undersigned.signatures.upkeep import retention_run


class Command(BaseCommand):
    help = "Apply the retention periods now (the worker also runs this every hour)."

    def handle(self, *args, **options):
        for rule, count in retention_run().items():
            self.stdout.write(f"{rule}: {count}")
