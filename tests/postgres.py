"""The PostgreSQL run (`pytest --postgres`): the tests where the engines differ, on PostgreSQL.

In-process tests get a database pytest-django creates (`test_<name>`); the processes a test
starts (Daphne, workers) get a throwaway database each, dropped at the end of the run. Without
the flag everything stays on SQLite files, as before."""

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# A maintenance database on the server to run; CI exports the URL of the one it found or started.
SERVER_ENV = "TEST_POSTGRES_URL"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT_S = 5


@dataclass
class PostgresRun:
    """The server of this run, when it is a PostgreSQL run, and the databases it made."""

    server: str | None = None
    created: list[str] = field(default_factory=list)


RUN = PostgresRun()


def refusal(server: str) -> str | None:
    """Why the server cannot be used, or None when it answers."""
    try:
        with psycopg.connect(server, connect_timeout=CONNECT_TIMEOUT_S):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {server} does not answer: {str(error).strip()}"


def with_name(server: str, name: str) -> str:
    """The server's URL naming another database."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def fresh_name(purpose: str) -> str:
    """A database name no other run on the server uses (runs may share one server)."""
    return f"wallboard_{purpose}_{secrets.token_hex(4)}"


def create_database(server: str) -> str:
    """A new empty database on the server, dropped by `drop_created`; its URL."""
    name = fresh_name("test")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    RUN.created.append(name)
    return with_name(server, name)


def drop_created(server: str) -> None:
    """Drop the databases the run's processes used; FORCE, as a process may still be closing."""
    with psycopg.connect(server, autocommit=True) as connection:
        while RUN.created:
            name = sql.Identifier(RUN.created.pop())
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def end_sessions(server: str, name: str) -> None:
    """End every session on database `name` but this one's."""
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


def process_database_url(workdir: Path) -> str:
    """The DATABASE_URL for processes a test starts: a fresh PostgreSQL database in the
    PostgreSQL run, else a SQLite file in `workdir`."""
    if RUN.server is not None:
        return create_database(RUN.server)
    return f"sqlite:///{workdir / 'db.sqlite3'}"
