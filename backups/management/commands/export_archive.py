from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, archive_export


class Command(BaseCommand):
    help = (
        "Write the whole archive (originals byte for byte, revisions, annotations, corrections, glossary, "
        "entities, tags, links, suggestions, audit log) to a new directory with a checksummed manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="A directory that does not exist yet; it is created.")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        try:
            summary = archive_export(output=options["output"], progress=self.report)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"exported to {summary.path}: {summary}"))

    def report(self, label: str, rows: int) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{label}: {rows}")
