import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from editor.accounts import ROLE_GROUPS, editor_create


class Command(BaseCommand):
    help = "Create an editorial account. Prompts for the password, or reads PALIMPSEST_PASSWORD when set."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Login name of the new account.")
        parser.add_argument("--role", choices=sorted(ROLE_GROUPS), default="editor", help="editor or reviewer.")

    def handle(self, *args, username, role, **options):
        password = os.environ.get("PALIMPSEST_PASSWORD") or self.prompt_password()
        try:
            editor_create(username=username, password=password, role=role)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"created {role} {username}"))

    def prompt_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the passwords do not match")
        return password
