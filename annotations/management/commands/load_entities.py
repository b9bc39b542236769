import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations.services.entities import EntityError, entities_load

DEFAULT_PATH = Path(settings.BASE_DIR) / "seeds" / "entities.json"


class Command(BaseCommand):
    help = "Load entities (people, organisations, places) from a JSON fixture; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DEFAULT_PATH), help=f"The fixture (default: {DEFAULT_PATH}).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if not isinstance(records, list):
            raise CommandError(f"{path}: expected a JSON list of entity records")
        try:
            with transaction.atomic():
                result = entities_load(records=records)
                transaction.set_rollback(options["dry_run"])
        except EntityError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        prefix = "dry run, nothing written: would be " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {prefix}{result}"))
