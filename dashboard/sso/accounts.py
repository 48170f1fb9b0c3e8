"""The Django user a company sign-in becomes, its roles re-applied from its groups each time,
and the refusals a person reads on the sign-in page (docs/operations.md, *Company accounts*)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from dashboard.models import Board, Supervisor
from dashboard.sso.mapping import Roles

logger = logging.getLogger(__name__)

NO_ROLE = _(
    "Your company account is in none of the groups that give access to the wallboard. "
    "Ask an administrator to add you to one."
)
LOCAL_NAME = _(
    "An account of this wallboard's own has your user name, so your company account cannot "
    "sign in as it. Ask an administrator."
)
SWITCHED_OFF = _("An administrator has switched your account off on this wallboard.")
PASSWORDS_OFF = _("Accounts of this wallboard's own are switched off: use your company account.")


class Refused(Exception):
    """A company sign-in that must not go on; its message is for the person signing in."""

    def __init__(self, message: StrPromise) -> None:
        super().__init__(str(message))
        self.message = message


def refuse(request: HttpRequest | None, refusal: Refused) -> PermissionDenied:
    """The refusal shown on the next page; PermissionDenied stops the other backends too."""
    if request is not None:
        messages.error(request, refusal.message)
    return PermissionDenied(str(refusal))


def take_account(username: str, groups: Iterable[str]) -> tuple[User, Roles]:
    """The account a company sign-in becomes (unsaved when new), and the roles its groups give.
    No role: refused, and an existing account loses what it had (and its open boards)."""
    user = find_or_build(username)
    roles: Roles = settings.SSO_ROLES.roles_for(groups)
    if not roles:
        if user.pk is not None:
            apply_roles(user, roles)
        raise Refused(NO_ROLE)
    return user, roles


def find_or_build(username: str) -> User:
    """The account of this name, or a new unsaved one. An account with a password of its own
    is local: a company account of the same name must not take it (or its rights) over. One an
    admin switched off stays off, whatever the groups say."""
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(username=username.lower())
        user.set_unusable_password()
    elif user.has_usable_password():
        raise Refused(LOCAL_NAME)
    elif not user.is_active:
        raise Refused(SWITCHED_OFF)
    return user


@transaction.atomic
def apply_roles(user: User, roles: Roles) -> None:
    """Staff flag, supervisor queues and board grants as the groups say now: a role the groups
    no longer give is gone (saving the user makes its open board sockets re-check)."""
    if user.is_staff != roles.staff:
        user.is_staff = roles.staff
        user.save(update_fields=["is_staff"])
    set_queues(user, roles.supervisor_queues)
    set_boards(user, roles.viewer_boards, settings.SSO_ROLES.managed_boards)


def set_queues(user: User, queues: frozenset[str]) -> None:
    """The profile stays without queues (acting on nothing), keeping the extension an admin
    gave it for listening in."""
    profile = Supervisor.objects.filter(user=user).first()
    if profile is None and not queues:
        return
    profile = profile or Supervisor(user=user)
    profile.queues = ",".join(sorted(queues, key=int))
    profile.save()


def set_boards(user: User, granted: frozenset[str], managed: frozenset[str]) -> None:
    """Grants of the boards the mapping names follow the groups; other boards stay as set."""
    boards = list(Board.objects.filter(slug__in=managed))
    for board in boards:
        if board.slug in granted:
            board.viewers.add(user)
        else:
            board.viewers.remove(user)
    missing = granted - {board.slug for board in boards}
    if missing:
        logger.warning("SSO_VIEWER_GROUPS names boards that do not exist: %s", sorted(missing))


class LocalAccountsOff:
    """LOCAL_LOGIN=false, before Django's passwords: a local account's password is refused
    unless it is a superuser's (the way in while the company's server is down)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **kwargs: Any
    ) -> None:
        user = User.objects.filter(username=username).first() if username else None
        if user is not None and user.has_usable_password() and not user.is_superuser:
            raise refuse(request, Refused(PASSWORDS_OFF))
