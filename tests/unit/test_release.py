"""The release a web process names in its snapshots: the same for the same files, new for any
change a screen would load, and the operator's name when RELEASE is set."""

from pathlib import Path

from django.test import override_settings

from dashboard.boards.release import current_release, fingerprint


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_two_copies_of_one_release_give_the_same_name(tmp_path: Path) -> None:
    files = {"board/main.js": "let a;", "board.css": "body {}"}
    assert fingerprint([tree(tmp_path / "one", files)]) == fingerprint(
        [tree(tmp_path / "two", files)]
    )


def test_a_changed_or_moved_file_gives_another_name(tmp_path: Path) -> None:
    before = fingerprint([tree(tmp_path / "a", {"board/main.js": "let a;"})])
    assert fingerprint([tree(tmp_path / "b", {"board/main.js": "let b;"})]) != before
    assert fingerprint([tree(tmp_path / "c", {"board/other.js": "let a;"})]) != before


def test_the_operators_name_wins() -> None:
    current_release.cache_clear()
    try:
        with override_settings(RELEASE="2026.12.1"):
            assert current_release() == "2026.12.1"
        current_release.cache_clear()
        with override_settings(RELEASE=""):
            assert len(current_release()) == 12
    finally:
        current_release.cache_clear()
