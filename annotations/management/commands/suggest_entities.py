from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations.services.entity_suggestions import SUGGEST_BATCH, SuggestionRun, entities_suggest, entity_matcher
from archive.models import Article


class Command(BaseCommand):
    help = "Suggest entity mentions and new entities in articles' current text (never stored twice)."

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Only this article (default: every article).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be suggested; write nothing.")

    def handle(self, *args, **options):
        articles = Article.objects.order_by("pk").only("pk")
        if options["article"]:
            articles = articles.filter(slug=options["article"])
            if not articles.exists():
                raise CommandError(f"there is no article with the slug {options['article']!r}")
        ids = list(articles.values_list("pk", flat=True))
        matcher, total = entity_matcher(), SuggestionRun()
        with transaction.atomic():
            for start in range(0, len(ids), SUGGEST_BATCH):
                run = entities_suggest(
                    articles=articles.filter(pk__in=ids[start : start + SUGGEST_BATCH]), matcher=matcher
                )
                total.articles, total.known, total.proposed = (
                    total.articles + run.articles,
                    total.known + run.known,
                    total.proposed + run.proposed,
                )
                if len(ids) > SUGGEST_BATCH:
                    self.stderr.write(f"{total.articles:,}/{len(ids):,} articles")
            transaction.set_rollback(options["dry_run"])
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{total}"))
