from django.core.management.base import BaseCommand, CommandError

from archive.models import Original
from archive.services import originals_verify
from audit.services import audit_head, audit_verify


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every imported original and the hash chain of the audit log; "
        "report any mismatch, altered, missing or reordered entry (exit 1)."
    )

    def handle(self, *args, **options):
        mismatches = originals_verify()
        for original in mismatches:
            self.stderr.write(
                self.style.ERROR(
                    f"MISMATCH original {original.pk} ({original.filename}, article {original.article_id}): "
                    f"recorded {original.sha256}, bytes now hash to {Original.checksum(bytes(original.content))}"
                )
            )
        problems = audit_verify()
        for problem in problems:
            self.stderr.write(self.style.ERROR(f"AUDIT {problem}"))
        total = Original.objects.count()
        failures = [f"{len(mismatches)} of {total} originals do not match their checksum"] if mismatches else []
        if problems:
            failures.append(f"the audit log has {len(problems)} problem(s): it was altered")
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write(self.style.SUCCESS(f"all {total} originals match their SHA-256"))
        head = audit_head()
        self.stdout.write(
            self.style.SUCCESS(f"audit log intact: {head.sequence} entries, last hash {head.hash}")
            if head
            else "audit log empty"
        )
