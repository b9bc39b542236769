from django.core.management.base import BaseCommand, CommandError

from annotations.search import search_index_rebuild, search_index_update
from archive.models import Article


class Command(BaseCommand):
    help = (
        "Rewrite the search document of every article (or of the given ones) from what is stored now: "
        "after a restore by hand, a bulk change outside the application, or to repair the index. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--article",
            metavar="SLUG",
            action="append",
            default=[],
            help="Only this article (repeatable; default: every article).",
        )

    def handle(self, *args, **options):
        if options["article"]:
            written = search_index_update(article_ids=self.article_ids(options["article"]))
        else:
            written = search_index_rebuild(progress=self.progress)
        noun = "article" if written == 1 else "articles"
        self.stdout.write(self.style.SUCCESS(f"search index rebuilt: {written:,} {noun} indexed"))

    def article_ids(self, slugs: list[str]) -> list[int]:
        found = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = [slug for slug in dict.fromkeys(slugs) if slug not in found]
        if unknown:
            raise CommandError(f"no article has the slug {', '.join(map(repr, unknown))}; nothing was indexed")
        return list(found.values())

    def progress(self, done: int, total: int) -> None:
        self.stderr.write(f"indexed {done:,}/{total:,} articles")
