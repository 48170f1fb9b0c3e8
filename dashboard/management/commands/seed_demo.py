"""`manage.py seed_demo`: the demo board, a supervisor and an admin login, a TV link."""

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser

from dashboard.models import Board, Display, Supervisor, validate_queue_numbers

DEMO_USER = "supervisor"
# Staff: pairs TVs by the code they show (Admin > Displays > Pair a TV) and edits the board.
DEMO_ADMIN = "admin"
# Sam Supervisor in pbxsim's default directory: the simulator rings it for listen/whisper/barge.
DEMO_EXTENSION = "1100"
PAIR_PATH = "/admin/dashboard/display/pair/"


class Command(BaseCommand):
    help = "Create or refresh the demo board, supervisor account and TV display."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument("--queues", default="6400,6401", help="PBX queue numbers to show")
        parser.add_argument("--password", help="supervisor password (default: a new random one)")
        parser.add_argument("--admin-password", help="admin password (default: a new random one)")

    def handle(self, *args: Any, **options: Any) -> None:
        validate_queue_numbers(options["queues"])
        board, _ = Board.objects.update_or_create(
            slug="demo", defaults={"name": "Demo call centre", "queues": options["queues"]}
        )
        password = options["password"] or secrets.token_urlsafe(9)
        user = login(DEMO_USER, password)
        board.viewers.add(user)
        Supervisor.objects.update_or_create(
            user=user, defaults={"extension": DEMO_EXTENSION, "queues": options["queues"]}
        )
        display, _ = Display.objects.get_or_create(name="Demo TV", defaults={"board": board})
        admin_password = options["admin_password"] or secrets.token_urlsafe(9)
        login(DEMO_ADMIN, admin_password, is_staff=True, is_superuser=True)
        base = options["base_url"].rstrip("/")
        self.stdout.write(f"Board:    {base}/boards/{board.slug}/")
        self.stdout.write(f"Log in:   user {DEMO_USER}, password {password}")
        self.stdout.write(f"Admin:    {base}/admin/ user {DEMO_ADMIN}, password {admin_password}")
        self.stdout.write(
            f"Pair TVs: open {base}/tv/ on the TV, enter its code at {base}{PAIR_PATH}"
        )
        self.stdout.write(f"Acts on:  queues {options['queues']}, from extension {DEMO_EXTENSION}")
        self.stdout.write(f"TV link:  {base}/tv/claim/#{display.new_claim_code()} (one-time)")


def login(username: str, password: str, **flags: bool) -> User:
    """The account, with this password. A password it already has is not set again: a new hash
    would sign out every browser logged in with it (Django ties sessions to the hash)."""
    user, _ = User.objects.update_or_create(username=username, defaults=flags)
    if not user.check_password(password):
        user.set_password(password)
        user.save()
    return user
