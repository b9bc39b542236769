from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from editor.accounts import demo_accounts_create


class Command(BaseCommand):
    help = "Development only: create a demo editor and a demo reviewer, printing their random passwords once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo accounts are for development only (DJANGO_DEBUG=1); never in production")
        created = demo_accounts_create()
        if not created:
            self.stdout.write(
                "demo accounts exist already; their passwords were printed when they were made "
                "(reset one with: manage.py changepassword demo-editor)"
            )
        for username, role, password in created:
            self.stdout.write(self.style.SUCCESS(f"demo {role}: username {username}  password {password}"))
