"""Who may see which board: users granted it (staff see all) and paired, unrevoked displays."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from dashboard.models import Board, Display, hash_secret

DISPLAY_COOKIE = "wb_display"


def board_for_user(user: AbstractBaseUser | AnonymousUser, slug: str) -> Board | None:
    """The board if this user may see it; None for unknown boards and boards not granted."""
    if not user.is_authenticated:
        return None
    boards = Board.objects.filter(slug=slug)
    if not getattr(user, "is_staff", False):
        boards = boards.filter(viewers__pk=user.pk)
    return boards.first()


def boards_for_user(user: AbstractBaseUser | AnonymousUser) -> list[Board]:
    if not user.is_authenticated:
        return []
    if getattr(user, "is_staff", False):
        return list(Board.objects.all())
    return list(Board.objects.filter(viewers__pk=user.pk))


def display_for_token(token: str | None) -> Display | None:
    """The paired display holding this credential, unless revoked."""
    if not token:
        return None
    return (
        Display.objects.select_related("board")
        .filter(token_hash=hash_secret(token), revoked=False)
        .first()
    )
