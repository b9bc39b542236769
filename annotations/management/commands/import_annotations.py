import json

from django.core.management.base import BaseCommand, CommandError

from annotations.services.annotating import AnnotationError
from annotations.services.exchanging import annotations_import


class Command(BaseCommand):
    help = "Restore annotations from a file written by export_annotations; ones already present are skipped."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A JSON-LD AnnotationCollection written by export_annotations.")
        parser.add_argument("--dry-run", action="store_true", help="Check every item and report, but store nothing.")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        try:
            report = annotations_import(data=data, dry_run=options["dry_run"])
        except AnnotationError as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        for name, problem in report.failures:
            self.stderr.write(self.style.ERROR(f"{name}: {problem}"))
        verb = "would import" if options["dry_run"] else "imported"
        summary = f"{verb} {report.created}, already present {report.skipped}, failed {len(report.failures)}"
        if report.failures:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
