"""`manage.py seed_demo`: the demo board, a supervisor with a fresh password, a TV link."""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from dashboard.models import Board, Display, Supervisor, validate_queue_numbers

DEMO_USER = "supervisor"
# Sam Supervisor in pbxsim's default directory: the simulator rings it for listen/whisper/barge.
DEMO_EXTENSION = "1100"


class Command(BaseCommand):
    help = "Create or refresh the demo board, supervisor account and TV display."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--queues", default="6400,6401", help="PBX queue numbers to show")
        parser.add_argument("--password", help="supervisor password (default: a new random one)")

    def handle(self, *args: Any, **options: Any) -> None:
        validate_queue_numbers(options["queues"])
        board, _ = Board.objects.update_or_create(
            slug="demo", defaults={"name": "Demo call centre", "queues": options["queues"]}
        )
        password = options["password"] or secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USER)
        user.set_password(password)
        user.save()
        board.viewers.add(user)
        Supervisor.objects.update_or_create(
            user=user, defaults={"extension": DEMO_EXTENSION, "queues": options["queues"]}
        )
        display, _ = Display.objects.get_or_create(name="Demo TV", defaults={"board": board})
        base = options["base_url"].rstrip("/")
        self.stdout.write(f"Board:    {base}/boards/{board.slug}/")
        self.stdout.write(f"Log in:   user {DEMO_USER}, password {password}")
        self.stdout.write(f"Acts on:  queues {options['queues']}, from extension {DEMO_EXTENSION}")
        self.stdout.write(f"TV link:  {base}/tv/claim/#{display.new_claim_code()} (one-time)")
