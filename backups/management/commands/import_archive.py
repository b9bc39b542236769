from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, archive_import


class Command(BaseCommand):
    help = (
        "Load an export made by export_archive into an empty database, all or nothing, after verifying "
        "every checksum. Missing users are created inactive, without a usable password."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="The directory export_archive wrote.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Verify and load everything, then roll back: nothing is kept."
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        dry_run = options["dry_run"]
        try:
            summary = archive_import(source=options["input"], dry_run=dry_run, progress=self.report)
        except BackupError as exc:
            raise CommandError(f"nothing was imported: {exc}") from exc
        verb = "verified (dry run, nothing kept)" if dry_run else "imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {summary.path}: {summary}; users created (inactive) {summary.users_created}")
        )

    def report(self, label: str, rows: int) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{label}: {rows}")
