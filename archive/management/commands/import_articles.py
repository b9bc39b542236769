import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.services import ImportFile, ImportResult, articles_import

IMPORTABLE_SUFFIXES = {".txt", ".html", ".htm"}
BATCH_SIZE = 200


class Command(BaseCommand):
    help = "Import article files (.txt, .html) and directories of them into the archive."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or directories searched recursively.")
        parser.add_argument("--publish", action="store_true", help="Publish new articles (default: drafts).")
        parser.add_argument("--language", default="en", help="Language of the texts (default: en).")
        parser.add_argument("--original-language", default="", help="Language they were translated from.")
        parser.add_argument("--max-bytes", type=int, default=None, help="Refuse files larger than this.")
        parser.add_argument("--quiet-files", action="store_true", help="Print only failures and the summary.")

    def handle(self, *args, **options):
        paths = list(self.collect(options["paths"]))
        self.counts: Counter[str] = Counter()
        self.quiet = options["quiet_files"]
        progress = Progress(len(paths), self.stderr) if sys.stderr.isatty() and len(paths) > 1 else None
        for start in range(0, len(paths), BATCH_SIZE):
            chunk = paths[start : start + BATCH_SIZE]
            results = articles_import(
                self.read_all(chunk),
                publish=options["publish"],
                language=options["language"],
                original_language=options["original_language"],
                max_bytes=options["max_bytes"],
            )
            for result in results:
                self.record(result)
            if progress:
                progress.advance(len(chunk))
        summary = (
            f"imported {self.counts[ImportResult.IMPORTED]}, already present "
            f"{self.counts[ImportResult.ALREADY_PRESENT]}, failed {self.counts[ImportResult.FAILED]}"
        )
        if self.counts[ImportResult.FAILED]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def collect(self, raw_paths: list[str]) -> Iterator[Path]:
        for raw in raw_paths:
            path = Path(raw)
            if path.is_dir():
                yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMPORTABLE_SUFFIXES)
            elif path.exists():
                yield path
            else:
                raise CommandError(f"{raw}: no such file or directory")

    def read_all(self, paths: list[Path]) -> list[ImportFile]:
        files = []
        for path in paths:
            try:
                files.append(ImportFile(path.name, path.read_bytes()))
            except OSError as exc:
                self.record(ImportResult(str(path), ImportResult.FAILED, f"cannot read: {exc.strerror}"))
        return files

    def record(self, result: ImportResult) -> None:
        self.counts[result.status] += 1
        if result.status == ImportResult.FAILED:
            self.stderr.write(self.style.ERROR(str(result)))
        elif not self.quiet:
            self.stdout.write(str(result))


class Progress:
    """A one-line progress bar redrawn in place on a terminal."""

    WIDTH = 30

    def __init__(self, total: int, stream) -> None:
        self.total, self.done, self.stream = total, 0, stream

    def advance(self, count: int) -> None:
        self.done += count
        filled = self.WIDTH * self.done // self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}", ending="")
        if self.done >= self.total:
            self.stream.write("")
