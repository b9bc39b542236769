from django.core.management.base import BaseCommand, CommandError

from archive.models import Original
from archive.services import originals_verify


class Command(BaseCommand):
    help = "Recompute the SHA-256 of every imported original and report any mismatch (exit 1)."

    def handle(self, *args, **options):
        mismatches = originals_verify()
        for original in mismatches:
            self.stderr.write(
                self.style.ERROR(
                    f"MISMATCH original {original.pk} ({original.filename}, article {original.article_id}): "
                    f"recorded {original.sha256}, bytes now hash to {Original.checksum(bytes(original.content))}"
                )
            )
        total = Original.objects.count()
        if mismatches:
            raise CommandError(f"{len(mismatches)} of {total} originals do not match their checksum")
        self.stdout.write(self.style.SUCCESS(f"all {total} originals match their SHA-256"))
