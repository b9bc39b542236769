import json
import os

from django.core.management.base import BaseCommand, CommandError

from annotations.jsonld import Links
from annotations.services.exchanging import annotations_export
from archive.models import Article


class Command(BaseCommand):
    help = "Write all annotations (or one article's) as a W3C JSON-LD AnnotationCollection, for backup or transfer."

    def add_arguments(self, parser):
        parser.add_argument("--article", metavar="SLUG", help="Only the annotations of this article.")
        parser.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("PALIMPSEST_BASE_URL", "http://127.0.0.1:8000/"),
            help="Site address the IRIs are built on (default: $PALIMPSEST_BASE_URL or http://127.0.0.1:8000/).",
        )

    def handle(self, *args, **options):
        article = None
        if options["article"]:
            article = Article.objects.filter(slug=options["article"]).first()
            if article is None:
                raise CommandError(f"no article with the slug {options['article']!r}")
        data = annotations_export(links=Links.for_base(options["base_url"]), article=article)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8") as out:
                    out.write(text)
            except OSError as exc:
                raise CommandError(f"cannot write {options['output']}: {exc.strerror}") from exc
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(f"exported {data['total']} annotation(s)")
