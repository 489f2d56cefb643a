"""Printing a query result (`verdicts sql`): for people (table, line) or tools (csv, json).

For people, a result fits the terminal: the table is as wide as the terminal ($COLUMNS,
else the terminal's width, else 200), one line per row, long cells cut with "…"; numbers
are right-aligned and rounded (:func:`display`). `line` prints one `column = value` per
line, for rows too wide for a table. For tools, csv and json keep every value whole and
at full precision.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import shutil
import uuid
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["FORMATS", "display", "emit", "terminal_width"]

FORMATS = ("table", "line", "csv", "json")
_FALLBACK_WIDTH = 200
_CONTROL = str.maketrans({c: " " for c in "\n\r\t\f\v"})


def terminal_width() -> int:
    """$COLUMNS, else the terminal's width, else 200 (output to a file or a pipe)."""
    return max(20, shutil.get_terminal_size((_FALLBACK_WIDTH, 24)).columns)


def _number(value: float | decimal.Decimal) -> str:
    """A float or decimal rounded for reading: 2 decimals, or 3 significant digits for
    values below 0.01 or beyond 10¹⁵ (0.0012, 3.1e+20)."""
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0 or 0.01 <= abs(value) < 1e15:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def display(value: Any) -> str:
    """A value as people read it: NULL, rounded numbers, ISO times, one line of text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | decimal.Decimal):
        return _number(value)
    if isinstance(value, dt.datetime):
        utc = value.utcoffset() == dt.timedelta(0)  # the session's time zone: said once
        return value.replace(tzinfo=None).isoformat(sep=" ") if utc else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).translate(_CONTROL)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _count(rows: Sequence[Any]) -> str:
    return f"({len(rows)} row{'s' if len(rows) != 1 else ''})"


_GAP = "  "  # between columns
_MIN_WIDTH = 8  # a cut text column still shows 7 characters and "…"


def _fit(natural: list[int], least: list[int], room: int) -> list[int]:
    """Column widths within `room` cells: the largest common cap that fits, each column
    between its `least` and its `natural` width, spare cells to the cut columns."""
    if sum(natural) <= room:
        return list(natural)

    def widths_at(cap: int) -> list[int]:
        return [max(lo, min(w, cap)) for w, lo in zip(natural, least, strict=True)]

    low, high = 0, max(natural)
    while low < high:  # the largest cap whose widths fit
        mid = (low + high + 1) // 2
        low, high = (mid, high) if sum(widths_at(mid)) <= room else (low, mid - 1)
    widths = widths_at(low)
    spare = room - sum(widths)
    for i, w in enumerate(natural):
        if spare > 0 and w > widths[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _cut(text: str, width: int, right: bool) -> str:
    """`text` in exactly `width` terminal cells: cut with "…" or padded."""
    from rich.cells import cell_len, set_cell_size

    size = cell_len(text)
    if size > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"[:width]
    pad = " " * (width - size)
    return pad + text if right else text + pad


def _layout(natural: list[int], least: list[int], width: int) -> tuple[int, list[int]]:
    """How many leading columns fit in `width` cells, and their widths (each at least its
    `least`); when not all fit, the last columns give way to a "…" column."""
    gap = len(_GAP)
    shown = len(natural)
    if sum(least) + gap * (shown - 1) > width:
        shown, used = 0, 1  # the "…" column
        while shown < len(natural) and used + gap + least[shown] <= width:
            used += gap + least[shown]
            shown += 1
        shown = max(shown, 1)
    room = width - gap * (shown - 1) - (gap + 1 if shown < len(natural) else 0)
    return shown, _fit(natural[:shown], least[:shown], max(room, sum(least[:shown])))


def _rigid(values: list[Any]) -> bool:
    """A column of numbers, booleans or times (and NULLs): never cut."""
    kinds = (int, float, decimal.Decimal, dt.date, dt.time)
    return any(v is not None for v in values) and all(
        v is None or isinstance(v, kinds) for v in values
    )


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """An aligned table at most as wide as the terminal, one line per row: long text is
    cut with "…"; when even cut columns do not fit, the last ones give way to a "…"
    column and the footer says how many are shown (`--format line` shows all)."""
    from rich.cells import cell_len

    cells = [[display(v) for v in row] for row in rows]
    by_column = [[r[i] for r in rows] for i in range(len(columns))]
    right = [_rigid(vs) and not any(isinstance(v, dt.date | dt.time) for v in vs)
             for vs in by_column]  # fmt: skip
    values = [max((cell_len(r[i]) for r in cells), default=0) for i in range(len(columns))]
    heads = [cell_len(name) for name in columns]
    natural = [max(v, h) for v, h in zip(values, heads, strict=True)]
    least = [  # a number or a time is never cut (its header may be); text down to 8 cells
        max(v, min(h, _MIN_WIDTH)) if _rigid(vs) else min(n, _MIN_WIDTH)
        for v, h, n, vs in zip(values, heads, natural, by_column, strict=True)
    ]
    shown, widths = _layout(natural, least, terminal_width())
    more = ["…"] if shown < len(columns) else []

    def line(texts: Sequence[str]) -> str:
        parts = [_cut(t, w, r) for t, w, r in zip(texts, widths, right, strict=False)]
        return _GAP.join(parts + more).rstrip() + "\n"

    out.write(line(columns[:shown]))
    out.write(_GAP.join(["─" * w for w in widths] + more) + "\n")
    for r in cells:
        out.write(line(r[:shown]))
    hidden = f"; {shown} of {len(columns)} columns shown, --format line shows all"
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{hidden if more else ''})\n")


def print_lines(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """One `column = value` per line (names right-aligned), a blank line between rows;
    values rounded like the table's but never cut."""
    width = max((len(c) for c in columns), default=0)
    for n, row in enumerate(rows):
        if n:
            out.write("\n")
        for name, value in zip(columns, row, strict=True):
            out.write(f"{name:>{width}} = {display(value)}\n")
    if rows:
        out.write("\n")
    out.write(_count(rows) + "\n")


def emit(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """Write one result set in `fmt` (one of :data:`FORMATS`) to `out`."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
    elif fmt == "json":
        for row in rows:
            record = _jsonable(dict(zip(columns, row, strict=True)))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "line":
        print_lines(columns, rows, out)
    else:
        print_table(columns, rows, out)
