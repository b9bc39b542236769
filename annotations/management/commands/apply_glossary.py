from django.core.management.base import BaseCommand, CommandError

from annotations.services.glossary import glossary_scan
from archive.models import Article


class Command(BaseCommand):
    help = (
        "Scan articles for the glossary's remembered wrong forms and add suggested corrections "
        "(never applied; matches already covered by a correction are skipped)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be suggested; write nothing.")
        parser.add_argument(
            "--article", action="append", default=[], metavar="SLUG", help="Only this article (repeatable)."
        )

    def handle(self, *args, dry_run=False, article=(), **options):
        articles = None
        if article:
            articles = Article.objects.filter(slug__in=article)
            missing = set(article) - set(articles.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no article with slug {', '.join(sorted(missing))}")
        result = glossary_scan(articles=articles, dry_run=dry_run, progress=self.progress)
        self.stdout.write(self.style.SUCCESS(f"{result}."))

    def progress(self, done: int, total: int) -> None:
        self.stderr.write(f"scanned {done}/{total} articles")
