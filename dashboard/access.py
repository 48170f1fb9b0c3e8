"""Who may see which board: users granted it (staff see all) and paired, unrevoked displays."""

from dataclasses import dataclass
from typing import TypeGuard

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from dashboard.models import Board, Display, hash_secret
from dashboard.roles import AnyUser

DISPLAY_COOKIE = "wb_display"
# Why access to a board was refused: the socket and the snapshot API each spell these their way.
SIGN_IN = "sign_in"  # neither signed in nor a known display
FORBIDDEN = "forbidden"  # signed in (or a display), but not for this board; or revoked
NOT_FOUND = "not_found"  # signed in, and no such board


@dataclass(frozen=True)
class Access:
    board: Board | None
    refusal: str = ""
    display: Display | None = None  # the display whose credential granted access


def signed_in(user: AnyUser) -> TypeGuard[AbstractBaseUser]:
    """Django's ModelBackend lets no inactive user sign in; a socket may still hold one it
    loaded before the deactivation, so access refuses them too."""
    return user.is_authenticated and user.is_active


def board_for_user(user: AnyUser, slug: str) -> Board | None:
    """The board if this user may see it; None for unknown boards and boards not granted."""
    if not signed_in(user):
        return None
    boards = Board.objects.filter(slug=slug)
    if not getattr(user, "is_staff", False):
        boards = boards.filter(viewers__pk=user.pk)
    return boards.first()


def boards_for_user(user: AnyUser) -> list[Board]:
    if not signed_in(user):
        return []
    if getattr(user, "is_staff", False):
        return list(Board.objects.all())
    return list(Board.objects.filter(viewers__pk=user.pk))


def find_display(token: str | None) -> Display | None:
    """The display holding this credential, revoked or not."""
    if not token:
        return None
    return Display.objects.select_related("board").filter(token_hash=hash_secret(token)).first()


def display_for_token(token: str | None) -> Display | None:
    """The paired display holding this credential, unless revoked."""
    display = find_display(token)
    return display if display is not None and not display.revoked else None


def display_boards(display: Display) -> list[Board]:
    """The boards a display shows in turn: its board first, then the others."""
    others = display.more_boards.exclude(pk=display.board_id)
    return [display.board, *others]


def display_shows(display: Display, board: Board) -> bool:
    if display.revoked:
        return False
    return display.board_id == board.pk or display.more_boards.filter(pk=board.pk).exists()


def board_access(user: AnyUser, display_token: str | None, slug: str) -> Access:
    """One rule for pages, sockets and the snapshot API: the user's grant, else the display's."""
    if not signed_in(user):
        user = AnonymousUser()
    board = board_for_user(user, slug)
    if board is not None:
        return Access(board)
    display = find_display(display_token)
    shown = Board.objects.filter(slug=slug).first()
    if display is not None and shown is not None and display_shows(display, shown):
        return Access(shown, display=display)
    if not user.is_authenticated and display is None:
        return Access(None, SIGN_IN)
    if shown is None and user.is_authenticated:
        return Access(None, NOT_FOUND)
    return Access(None, FORBIDDEN)
