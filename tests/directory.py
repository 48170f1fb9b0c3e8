"""A company directory for tests: Debian's slapd, started unprivileged on a free loopback port
with a configuration and a database of its own in a temporary folder, seeded with people and
groups. Missing slapd: a laptop skips, CI (REQUIRE_BROWSER=1, .ci/run) fails."""

import contextlib
import secrets
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ldap  # type: ignore[import-untyped]  # no stubs

from devstack.procs import ManagedProcess, free_port
from tests.programs import debian_program

READY_TIMEOUT_S = 20
SUFFIX = "dc=example,dc=com"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SERVICE = f"cn=wallboard,ou=services,{SUFFIX}"
OUS = ("people", "groups", "services")
CONFIG = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {tmp}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
rootpw {root_password}
directory {tmp}/data
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


@dataclass(frozen=True)
class Person:
    uid: str
    password: str
    groups: tuple[str, ...]

    @property
    def dn(self) -> str:
        return f"uid={self.uid},{PEOPLE}"


@dataclass(frozen=True)
class Directory:
    uri: str
    service_password: str
    root_password: str

    def set_members(self, group: str, people: list[Person]) -> None:
        """Change a group as the company's admin would, while the server runs."""
        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(f"cn=admin,{SUFFIX}", self.root_password)
        members = [person.dn.encode() for person in people] or [SERVICE.encode()]
        connection.modify_s(f"cn={group},{GROUPS}", [(ldap.MOD_REPLACE, "member", members)])
        connection.unbind_s()


def seed(people: list[Person], groups: list[str], service_password: str) -> str:
    """The directory as LDIF: people, groups (groupOfNames needs a member: the service
    account stands in for an empty group) and the account the wallboard searches with."""
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example",
        *(f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}" for ou in OUS),
        f"dn: {SERVICE}\nobjectClass: person\nobjectClass: simpleSecurityObject\ncn: wallboard\n"
        f"sn: wallboard\nuserPassword: {service_password}",
    ]
    for person in people:
        entries.append(
            f"dn: {person.dn}\nobjectClass: inetOrgPerson\nuid: {person.uid}\ncn: {person.uid}\n"
            f"givenName: {person.uid.title()}\nsn: Example\nmail: {person.uid}@example.com\n"
            f"userPassword: {person.password}"
        )
    for group in groups:
        members = [p.dn for p in people if group in p.groups] or [SERVICE]
        lines = "".join(f"\nmember: {dn}" for dn in members)
        entries.append(f"dn: cn={group},{GROUPS}\nobjectClass: groupOfNames\ncn: {group}{lines}")
    return "\n\n".join(entries) + "\n"


def answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def running_directory(tmp: Path, people: list[Person], groups: list[str]) -> Iterator[Directory]:
    """slapd in the foreground (-d 0), its database loaded offline by slapadd before it starts."""
    slapd = debian_program("slapd", "slapd", "the LDAP sign-in tests")
    slapadd = debian_program("slapadd", "slapd", "the LDAP sign-in tests")
    service_password, root_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    (tmp / "data").mkdir()
    conf = tmp / "slapd.conf"
    conf.write_text(CONFIG.format(tmp=tmp, suffix=SUFFIX, root_password=root_password))
    (tmp / "seed.ldif").write_text(seed(people, groups, service_password))
    subprocess.run(
        [slapadd, "-f", str(conf), "-l", str(tmp / "seed.ldif")],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    argv = [slapd, "-f", str(conf), "-h", f"{uri}/", "-d", "0"]
    with ManagedProcess("slapd", argv, cwd=tmp, ready_check=lambda: answers(port)) as server:
        server.wait_ready(READY_TIMEOUT_S)
        yield Directory(uri, service_password, root_password)
