"""The report as CSV (ISO dates) and as XLSX (typed numbers and dates, docs/design.md#reports)."""

import csv
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO, StringIO

from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from dashboard.reports.aggregate import FIGURES, Period, Row

LABELS: dict[str, Promise] = {
    "period": _("Period"),
    "queue": _("Queue"),
    "offered": _("Offered"),
    "answered": _("Answered"),
    "abandoned": _("Abandoned"),
    "short_abandoned": _("Short abandoned"),
    "timed_out": _("Timed out"),
    "transferred": _("Transferred"),
    "service_level": _("Service level (%)"),
    "asa_s": _("ASA (s)"),
    "aht_s": _("AHT (s)"),
    "handled": _("Handled"),
    "talk_s": _("Talk time (s)"),
}
COLUMNS = ("period", "queue", *FIGURES)
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0"


LEVEL_COLUMN = COLUMNS.index("service_level") + 1  # 1-based, as the sheet counts


def headings() -> list[str]:
    return [str(LABELS[column]) for column in COLUMNS]


def figures(row: Row) -> list[object]:
    return [row.queue, *(row.figures[name] for name in FIGURES)]


def iso(period: Period) -> str:
    """A local start time with its UTC offset, or a day: ISO 8601 either way."""
    if isinstance(period, datetime):
        return period.isoformat(timespec="minutes")
    return period.isoformat()


def table(rows: Sequence[Row]) -> SafeString:
    """The page's table rows: local times without their offset (the page names the time zone
    once). Written here, not in a template loop, which takes a second over 5,000 rows."""
    point = get_format("DECIMAL_SEPARATOR")  # of the page's language, as the template's
    html = "".join(_table_row(row, point) for row in rows)
    return mark_safe(html)  # the queue is escaped; the rest are numbers


def _table_row(row: Row, point: str) -> str:
    period = iso(row.period)[:16].replace("T", " ")
    cells = "".join(f'<td class="number">{_cell(value, point)}</td>' for value in figures(row)[1:])
    return f"<tr><td>{period}</td><td>{escape(row.queue)}</td>{cells}</tr>"


def _cell(value: object, point: str) -> str:
    """A dash for nothing; a percentage with the language's decimal point."""
    if value is None:
        return "–"
    return str(value).replace(".", point) if isinstance(value, float) else str(value)


def to_csv(rows: Sequence[Row]) -> str:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(headings())
    for row in rows:
        writer.writerow([iso(row.period), *("" if v is None else v for v in figures(row))])
    return out.getvalue()


def to_xlsx(rows: Sequence[Row]) -> bytes:
    """One sheet: a heading row, then numbers as numbers and periods as dates (Excel keeps no
    time zone: the times are the installation's local ones, as on the page)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = str(_("Report"))
    sheet.append(headings())
    for number, row in enumerate(rows, start=2):  # sheet.max_row would count every row again
        sheet.append([_excel_period(row.period), *figures(row)])
        timed = isinstance(row.period, datetime)
        sheet.cell(number, 1).number_format = TIME_FORMAT if timed else DATE_FORMAT
        sheet.cell(number, LEVEL_COLUMN).number_format = PERCENT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 18
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _excel_period(period: Period) -> date | datetime:
    return period.replace(tzinfo=None) if isinstance(period, datetime) else period
