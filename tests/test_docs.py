"""The repository stands alone: every document its code and docs cite is in it, and every
citation of a page (and of a section of it) leads somewhere."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Not the repository's text: tools' and caches' directories (.gitignore keeps them out too).
SKIPPED_DIRS = {
    ".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", ".hypothesis", ".demo", "staticfiles", "results", "screenshots", "locale",
}  # fmt: skip
TEXT_SUFFIXES = {
    ".py", ".md", ".js", ".html", ".css", ".txt", ".toml", ".yml", ".yaml", ".cfg", ".sh",
    ".example",
}  # fmt: skip
TEXT_NAMES = {"Makefile", "Dockerfile", "run"}
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
# A page named in text or code: `docs/design.md`, `README.md`, `docs/operations.md#health`.
PAGE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)(?:#([\w-]+))?(?![\w-])")
PARENT_PATH = re.compile(r"(?<![\w.])(?:\.\./)+[\w./-]*")
ABSOLUTE_PAGE = re.compile(r"(?<![\w.~:/-])/(?:[\w.-]+/)*[\w.-]+\.md\b")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")


def repository_texts() -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS]
        for name in names:
            path = Path(directory) / name
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                yield path


# This file is left out: its own examples are the citations it stops.
TEXTS = {
    path: path.read_text(errors="replace")
    for path in repository_texts()
    if path != Path(__file__).resolve()
}


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def inside(path: Path) -> bool:
    return path.resolve().is_relative_to(ROOT)


def anchors(page: Path) -> set[str]:
    """The section anchors GitHub gives a page's headings (code blocks hold no headings)."""
    found: set[str] = set()
    fenced = False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            unique, repeats = slug, 0
            while unique in found:  # a repeated heading gets -1, -2, …
                repeats += 1
                unique = f"{slug}-{repeats}"
            found.add(unique)
    return found


def broken(target: Path, anchor: str | None) -> str | None:
    """What is wrong with a citation of `target` (and its section), if anything."""
    if not inside(target):
        return "is outside the repository"
    if not target.exists():
        return "does not exist"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"has no section #{anchor}"
    return None


def prose(path: Path) -> str:
    """The file's text less markdown link targets (resolved from the page, checked apart)."""
    text = TEXTS[path]
    return MARKDOWN_LINK.sub("]()", text) if path.suffix == ".md" else text


def quoted_whole(text: str, match: re.Match[str]) -> bool:
    """A string literal that is just a file name builds a path (`ROOT / "docs" / "x.md"`)."""
    start, end = match.span()
    return start > 0 and end < len(text) and text[start - 1] == text[end] and text[end] in "\"'"


def test_markdown_links_lead_to_pages_and_sections_of_the_repository() -> None:
    problems = []
    for path in [p for p in TEXTS if p.suffix == ".md"]:
        for link in MARKDOWN_LINK.findall(TEXTS[path]):
            if re.match(r"[a-z]+:", link):  # https:, mailto:
                continue
            target, _, anchor = link.partition("#")
            problem = broken((path.parent / target) if target else path, anchor or None)
            if problem:
                problems.append(f"{shown(path)}: ({link}) {problem}")
    assert not problems, "\n".join(problems)


def test_every_page_cited_in_code_and_docs_is_in_the_repository() -> None:
    """A page is cited from the repository's root (`docs/design.md`), or by a name beside the
    citing file or at the root (`README.md`)."""
    problems = []
    for path in TEXTS:
        text = prose(path)
        for match in PAGE.finditer(text):
            page, anchor = match.groups()
            if quoted_whole(text, match):
                continue
            candidates = [ROOT / page] if "/" in page else [ROOT / page, path.parent / page]
            found = [broken(candidate, anchor) for candidate in candidates]
            if all(found):
                problems.append(f"{shown(path)}: {match.group(0)} {found[0]}")
    assert not problems, "\n".join(problems)


def test_the_design_is_cited_as_docs_design_md() -> None:
    """Not as a bare `design.md`, which named the team's copy kept outside the repository."""
    problems = [
        f"{shown(path)}: {match.group(0)}"
        for path in TEXTS
        for match in PAGE.finditer(prose(path))
        if match.group(1).endswith("design.md") and match.group(1) != "docs/design.md"
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("pattern", "what"),
    [(PARENT_PATH, "a path up and out of the repository"), (ABSOLUTE_PAGE, "an absolute path")],
)
def test_no_file_cites_a_path_outside_the_repository(pattern: re.Pattern[str], what: str) -> None:
    problems = [
        f"{shown(path)}: {match.group(0)} is {what}"
        for path, text in TEXTS.items()
        for match in pattern.finditer(text)
        if pattern is ABSOLUTE_PAGE or not inside(path.parent / match.group(0))
    ]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_are_for() -> None:
    """The patterns find the citations this file exists to stop."""
    text = "see ../shared/design.md, design.md §1, /work/shared/design.md and docs/design.md#roles"
    assert [m.group(1) for m in PAGE.finditer(text)] == [
        "../shared/design.md", "design.md", "docs/design.md",
    ]  # fmt: skip
    assert not inside(ROOT / PARENT_PATH.findall(text)[0])
    assert ABSOLUTE_PAGE.findall(text) == ["/work/shared/design.md"]
    assert "roles" in anchors(ROOT / "docs" / "design.md")
    assert broken(ROOT / "docs" / "design.md", "no-such-section")
