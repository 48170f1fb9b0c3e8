"""Which wallboard roles a company account's groups give it (docs/operations.md, *Company
accounts*): pure, the same for OpenID Connect and LDAP, re-applied at every sign-in."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

QUEUE = re.compile(r"\d+")  # the PBX's queue numbers, as on a Supervisor profile
BOARD = re.compile(r"[-a-zA-Z0-9_]+")  # a board's slug


@dataclass(frozen=True)
class Roles:
    """What one account may do: the same three grants an admin gives by hand."""

    staff: bool = False
    supervisor_queues: frozenset[str] = frozenset()
    viewer_boards: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        """An account with no role is refused at sign-in."""
        return self.staff or bool(self.supervisor_queues) or bool(self.viewer_boards)


# A group's grants: the queues (or boards) each group names.
Grants = dict[str, frozenset[str]]


@dataclass(frozen=True)
class RoleMap:
    staff: frozenset[str] = frozenset()
    supervisor: Grants = field(default_factory=dict)
    viewer: Grants = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.staff or self.supervisor or self.viewer)

    def roles_for(self, groups: Iterable[str]) -> Roles:
        """The union of what each of the account's groups gives (group names match exactly)."""
        held = set(groups)
        return Roles(
            staff=bool(held & self.staff),
            supervisor_queues=granted(self.supervisor, held),
            viewer_boards=granted(self.viewer, held),
        )

    @property
    def managed_boards(self) -> frozenset[str]:
        """The boards whose grants sign-in keeps in step with the groups; others stay as set."""
        return granted(self.viewer, set(self.viewer))


def granted(grants: Grants, held: set[str]) -> frozenset[str]:
    return frozenset().union(*(targets for group, targets in grants.items() if group in held))


def parse_groups(raw: str) -> frozenset[str]:
    """`admins;it-ops`: group names separated by semicolons (a name may hold a comma)."""
    return frozenset(item.strip() for item in raw.split(";") if item.strip())


def parse_grants(name: str, raw: str, target: re.Pattern[str]) -> Grants:
    """`sales-sups:6400,6401;support-sups:6402`: each group, its last colon, then its targets.
    A group named twice gets the targets of both."""
    grants: dict[str, frozenset[str]] = {}
    for entry in parse_groups(raw):
        group, colon, listed = entry.rpartition(":")
        targets = frozenset(item.strip() for item in listed.split(",") if item.strip())
        bad = sorted(item for item in targets if not target.fullmatch(item))
        if not colon or not group.strip() or not targets or bad:
            example = "group:6400,6401" if target is QUEUE else "group:board-slug"
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not a group and its list, like {example!r}"
            )
        grants[group.strip()] = grants.get(group.strip(), frozenset()) | targets
    return grants
