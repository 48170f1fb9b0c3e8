"""The shared field readers, token redaction, and the count of what could not be used."""

import logging

import pytest

from dashboard.live.fields import MAX_KINDS, OTHER_KIND, Unusable, integer, redact, seconds, text

TEXTS = [
    ("6402", "6402"), (6402, "6402"), (6402.0, "6402"), (" 2010 ", "2010"), (1.5, "1.5"),
    (None, ""), (True, ""), ({"a": 1}, ""), ([1], ""),
]  # fmt: skip
INTEGERS = [
    (1, 1), ("1", 1), (" 30011 ", 30011), (30011.0, 30011), ("-2", -2),
    (None, None), (True, None), ("1.5", None), ("x", None), ({}, None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "read"), TEXTS)
def test_text_takes_numbers_as_integers_or_text(value: object, read: str) -> None:
    assert text(value) == read


@pytest.mark.parametrize(("value", "read"), INTEGERS)
def test_integer_takes_an_integer_or_its_text(value: object, read: int | None) -> None:
    assert integer(value) == read


@pytest.mark.parametrize(
    ("value", "read"),
    [(42, 42), ("42", 42), ("42.7", 42), (-3, 0), (None, None), ("inf", None), ("nan", None)],
)
def test_seconds_are_whole_and_never_negative(value: object, read: int | None) -> None:
    assert seconds(value) == read


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("wss://pbx/v1.0/subscribe?access_token=EXZMpZAO86&x=1", "access_token=[redacted]&x=1"),
        ('{"access_token": "EXZMpZAO86", "access_token_expire_time": 1}', '"access_token": "[re'),
        ('{"refresh_token":"SCduGecw"}', '"refresh_token":"[redacted]"'),
        ('"msg":"{\\"token\\":\\"QJZD\\"}"', '\\"token\\":\\"[redacted]\\"'),
        ("GET /x?token=abc HTTP/1.1", "token=[redacted] HTTP"),
    ],
)  # fmt: skip
def test_tokens_are_redacted_wherever_they_appear(written: str, shown: str) -> None:
    assert shown in redact(written)
    assert "EXZMpZAO86" not in redact(written)
    assert "1800" in redact('{"access_token_expire_time": 1800}')  # not a token


def test_each_problem_of_a_kind_is_logged_once_and_every_one_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unusable = Unusable()
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            unusable.note("30011", ["no call id"], {"members": [], "token": "secret"})
        unusable.note("30011", ["a member status we do not know"], "x")
    assert unusable.counts == {"30011": 4}
    assert len(caplog.records) == 2
    assert "secret" not in caplog.text
    assert '"token": "[redacted]"' in caplog.text


def test_the_count_stays_small_whatever_types_the_pbx_invents() -> None:
    unusable = Unusable()
    for event_type in range(MAX_KINDS + 10):
        unusable.note(f"unknown type {event_type}", [], {})
    assert len(unusable.counts) == MAX_KINDS + 1
    assert unusable.counts[OTHER_KIND] == 10
