from django.core.management.base import BaseCommand

from undersigned.statements import sample
from undersigned.statements.models import Statement
from undersigned.statements.services import statement_create


class Command(BaseCommand):
    help = "Create the sample statement (once; does nothing when it exists)."

    def handle(self, *args, **options):
        if Statement.objects.filter(slug=sample.SLUG).exists():
            self.stdout.write(f"sample statement '{sample.SLUG}' already exists")
            return
        statement_create(
            slug=sample.SLUG,
            reference="US-001-2026",
            state=Statement.State.OPEN,
            signers=Statement.Signers.BOTH,
            review_organizations=True,
            goal=1000,
            organizer="Evening Libraries Coalition (sample)",
            contact_email="coordination@example.org",
            default_language="en",
            texts=sample.TEXTS,
        )
        self.stdout.write(f"created sample statement '{sample.SLUG}'")
