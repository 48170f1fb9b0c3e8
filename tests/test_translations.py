"""Thai all the way: every string a screen can show has a Thai translation in the compiled
catalogues, and no English literal reaches the screen without gettext (docs/glossary-th.md)."""

import gettext as gnu
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# What screens show: the board's and the console's scripts, and every page template but the
# admin's (staff only, where Django's own admin strings are English anyway).
SCRIPTS = sorted(p for p in (ROOT / "static").rglob("*.js") if "vendor" not in p.parts)
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.html") if "admin" not in p.parts)
# Identical in both languages on purpose (docs/glossary-th.md): names and placeholders only.
SAME_IN_THAI = {"PBX: %(state)s", "%(what)s: %(why)s"}
# Literals that may reach the screen untranslated: symbols, not words.
NOT_WORDS = re.compile(r"^[^A-Za-z]*$")

JS_GETTEXT = re.compile(r"""\bgettext\(\s*(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*\)""")
PY_GETTEXT = re.compile(r"""gettext\(u'(?P<text>(?:\\.|[^'\\])*)'\)""")
# A literal put on screen directly: text, a tooltip, an accessible name, a placeholder.
JS_SHOWN = [
    re.compile(r"""\bsetText\([^,()]+,\s*(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""),
    re.compile(
        r"""\b(?:textContent|innerText|title|placeholder|ariaLabel)\s*[=:]\s*"""
        r"""(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
    ),
    re.compile(
        r"""setAttribute\(\s*["'](?:title|aria-label|placeholder|alt)["']\s*,\s*"""
        r"""(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
    ),
    re.compile(
        r"""\belement\([^,()]+,\s*[^,()]+,\s*(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
    ),
    re.compile(r"""\b(?:alert|confirm)\(\s*(?P<q>["'`])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""),
]
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Taken out of a template before its text is read: template tags, whole translations, and the
# body's class names (base.html puts that block in an attribute).
NOT_TEXT = re.compile(
    r"{%\s*block body_class\s*%}.*?{%\s*endblock\s*%}"
    r"|{%\s*blocktranslate.*?endblocktranslate\s*%}|{%.*?%}|{{.*?}}|{#.*?#}",
    re.S,
)


def catalogue(domain: str) -> gnu.GNUTranslations:
    """The compiled Thai catalogue (.mo): fuzzy and empty entries are not in it."""
    with (LOCALE / "th" / "LC_MESSAGES" / f"{domain}.mo").open("rb") as compiled:
        return gnu.GNUTranslations(compiled)


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def script_strings() -> dict[str, str]:
    """Every literal given to gettext in static/, with where."""
    found: dict[str, str] = {}
    for path in SCRIPTS:
        for match in JS_GETTEXT.finditer(path.read_text()):
            found.setdefault(unescape(match["text"]), str(path.relative_to(ROOT)))
    return found


def template_strings() -> dict[str, str]:
    """Every {% translate %} and {% blocktranslate %} in the templates, as makemessages sees
    them."""
    found: dict[str, str] = {}
    for path in TEMPLATES:
        for match in PY_GETTEXT.finditer(templatize(path.read_text())):
            found.setdefault(unescape(match["text"]), str(path.relative_to(ROOT)))
    return found


def untranslated(strings: dict[str, str], domain: str) -> list[str]:
    thai = catalogue(domain)
    return [
        f"{where}: {text!r}"
        for text, where in strings.items()
        if thai.gettext(text) == text and text not in SAME_IN_THAI
    ]


@pytest.mark.parametrize(
    ("strings", "domain"),
    [(script_strings, "djangojs"), (template_strings, "django")],
    ids=["scripts", "templates"],
)
def test_every_string_marked_for_translation_has_thai(strings, domain) -> None:  # type: ignore[no-untyped-def]
    found = strings()
    assert len(found) > 100  # the scan sees the strings (a broken pattern would find none)
    assert untranslated(found, domain) == []


def shown_literals(path: Path) -> list[str]:
    """English literals a script puts on screen without gettext."""
    return literals_shown(path.read_text(), str(path.relative_to(ROOT)))


def literals_shown(text: str, name: str) -> list[str]:
    bad = []
    for pattern in JS_SHOWN:
        for match in pattern.finditer(text):
            literal = re.sub(r"\$\{[^}]*\}", "", match["text"])
            if not NOT_WORDS.match(literal):
                line = text.count("\n", 0, match.start()) + 1
                bad.append(f"{name}:{line}: {match['text']!r}")
    return bad


def test_no_script_puts_an_english_literal_on_screen() -> None:
    # The scan sees such a literal (a broken pattern would pass every script).
    assert literals_shown('setText(cell, "Waiting"); el.title = "Longest wait";', "sample")
    assert [bad for path in SCRIPTS for bad in shown_literals(path)] == []


class VisibleText(HTMLParser):
    """Text and shown attributes of a template whose template tags were taken out."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value and not NOT_WORDS.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden and not NOT_WORDS.match(data):
            self.found.append(data.strip())


def template_english(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}: {text}" for text in english_in(path.read_text())]


def english_in(template: str) -> list[str]:
    parser = VisibleText()
    parser.feed(NOT_TEXT.sub("", template))
    return parser.found


def test_no_template_shows_english_outside_translate() -> None:
    # The scan sees such text (a broken parser would pass every template).
    assert english_in('<p title="Wait">{% translate "Ok" %} Waiting</p>') == [
        "<p title='Wait'>",
        "Waiting",
    ]
    assert [bad for path in TEMPLATES for bad in template_english(path)] == []
