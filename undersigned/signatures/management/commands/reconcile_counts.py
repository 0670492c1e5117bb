from django.core.management.base import BaseCommand

from undersigned.signatures.upkeep import counts_reconcile


class Command(BaseCommand):
    help = "Recount every statement from its rows and repair what differs (hourly in the worker)."

    def handle(self, *args, **options):
        repairs = counts_reconcile()
        for repair in repairs:
            self.stdout.write(f"repaired: {repair}")
        self.stdout.write(f"{len(repairs)} count(s) repaired")
