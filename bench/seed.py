"""`python -m bench.seed`: the bench board and one paired TV display per screen (tokens as JSON)."""

import argparse
import json
import os
import secrets
import sys
from collections.abc import Sequence

BOARD_SLUG = "bench"


def seed(queues: str, screens: int) -> list[str]:
    """Replace the bench board's displays with `screens` fresh ones; return their credentials."""
    from dashboard.models import Board, Display, hash_secret

    board, _ = Board.objects.update_or_create(
        slug=BOARD_SLUG, defaults={"name": "Benchmark", "queues": queues}
    )
    board.displays.all().delete()
    tokens = [secrets.token_urlsafe(32) for _ in range(screens)]
    Display.objects.bulk_create(
        Display(name=f"bench-{index}", board=board, token_hash=hash_secret(token))
        for index, token in enumerate(tokens)
    )
    return tokens


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__)
    parser.add_argument("--queues", required=True, help="comma-separated queue numbers")
    parser.add_argument("--screens", type=int, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallboard.settings")
    import django

    django.setup()
    print(json.dumps({"board": BOARD_SLUG, "tokens": seed(args.queues, args.screens)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
