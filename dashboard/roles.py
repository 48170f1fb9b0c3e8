"""Who may act on what (docs/design.md#roles): staff on every queue, supervisors on theirs."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from dashboard.models import Supervisor

# Whoever a request or socket carries: signed in or not.
AnyUser = AbstractBaseUser | AnonymousUser


def supervisor_of(user: AnyUser) -> Supervisor | None:
    if not user.is_authenticated:
        return None
    return Supervisor.objects.filter(user__pk=user.pk).first()


def acting_queues(user: AnyUser) -> set[str] | None:
    """The queue numbers this user may act on; None means every queue (staff)."""
    if not user.is_authenticated:
        return set()
    if getattr(user, "is_staff", False):
        return None
    supervisor = supervisor_of(user)
    return set(supervisor.queue_numbers) if supervisor else set()
