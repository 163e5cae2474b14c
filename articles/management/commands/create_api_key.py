"""`manage.py create_api_key <name>`: a new partner API key, printed on the last line."""

from django.core.management.base import BaseCommand, CommandError
from rest_framework_api_key.models import APIKey


class Command(BaseCommand):
    help = "Create a partner API key; the key is printed on the last line (it cannot be shown again)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the key is for (a partner's name), shown in the admin.")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name or len(name) > 50:
            raise CommandError("The name must be 1 to 50 characters long.")
        api_key, key = APIKey.objects.create_key(name=name)
        self.stderr.write(f"Created API key {api_key.prefix}… for {name!r}. Send it as: Authorization: Api-Key <key>")
        self.stdout.write(key)
