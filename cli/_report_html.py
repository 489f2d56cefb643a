"""The self-contained HTML report: each executed notebook's question, charts and conclusions.

One file that opens anywhere, offline: the charts are the notebooks' own PNG outputs embedded
as base64 `data:` URLs, the styles are inline, and nothing is fetched. A notebook's first
markdown cell gives the question (its `# ` heading) and the introduction; each `## ` heading
titles the charts under it; the printed lines of the cell tagged `conclusions` are the
conclusions, one per list item.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

CONCLUSIONS_TAG = "conclusions"
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_EM = re.compile(r"(?<![*\w])\*([^*]+)\*(?![*\w])")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1180px;
       padding: 1.5rem; color: #1d1d1f; line-height: 1.45; }
header { border-bottom: 2px solid #ddd; margin-bottom: 1rem; }
section { margin: 2rem 0 3rem; }
figure { margin: 1.2rem 0; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-size: 0.9rem; color: #555; margin-top: 0.3rem; }
.conclusions { background: #f4f8fb; border-left: 4px solid #2e86c1; padding: 0.6rem 1rem; }
.failed { background: #fbeeee; border-left: 4px solid #c0392b; padding: 0.6rem 1rem; }
code { background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }
.meta { color: #666; font-size: 0.9rem; }
"""


@dataclass
class Chart:
    """One chart: the heading it sits under, and its PNG bytes."""

    heading: str
    png: bytes


@dataclass
class Section:
    """What the report shows of one notebook."""

    notebook: str
    question: str
    intro: list[str] = field(default_factory=list)  # markdown blocks
    charts: list[Chart] = field(default_factory=list)
    conclusions: list[str] = field(default_factory=list)
    error: str | None = None


def _inline(text: str) -> str:
    """Escape, then the few inline marks the notebooks use: `code`, **bold**, *em*."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def _block(text: str) -> str:
    """A markdown block → HTML: a bullet list, a heading, or a paragraph."""
    lines = text.strip().splitlines()
    if lines[0].startswith("- ") and all(ln.startswith(("- ", "  ")) for ln in lines):
        items: list[str] = []
        for ln in lines:
            if ln.startswith("- "):
                items.append(ln[2:])
            else:
                items[-1] += " " + ln.strip()
        return "<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>"
    if lines[0].startswith("#"):
        level = min(len(lines[0]) - len(lines[0].lstrip("#")) + 1, 4)
        return f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>"
    return f"<p>{_inline(' '.join(ln.strip() for ln in lines))}</p>"


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _stream_lines(cell: Any) -> list[str]:
    text = "".join(
        _source({"source": o.get("text", "")})
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _pngs(cell: Any) -> list[bytes]:
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if o.get("output_type") in ("display_data", "execute_result") and "image/png" in data:
            b64 = data["image/png"]
            out.append(base64.b64decode("".join(b64) if isinstance(b64, list) else b64))
    return out


def section_from_notebook(nb: Any, name: str, error: str | None = None) -> Section:
    """Read an executed notebook (an nbformat node or plain dict) into a report section."""
    cells = list(nb.get("cells", []))
    sec = Section(notebook=name, question=name, error=error)
    heading = ""
    first_md = True
    for cell in cells:
        kind = cell.get("cell_type")
        if kind == "markdown":
            blocks = [b for b in re.split(r"\n\s*\n", _source(cell)) if b.strip()]
            if first_md and blocks and blocks[0].startswith("# "):
                sec.question = blocks[0].splitlines()[0][2:].strip()
                sec.intro = [blocks[0].split("\n", 1)[1]] if "\n" in blocks[0] else []
                sec.intro += blocks[1:]
            elif blocks and blocks[0].startswith("## "):
                heading = blocks[0].splitlines()[0][3:].strip()
            first_md = False
        elif kind == "code":
            sec.charts += [Chart(heading, png) for png in _pngs(cell)]
            if CONCLUSIONS_TAG in cell.get("metadata", {}).get("tags", []):
                sec.conclusions = _stream_lines(cell)
    return sec


def _section_html(sec: Section) -> str:
    parts = [f'<section id="{html.escape(Path(sec.notebook).stem)}">',
             f"<h2>{_inline(sec.question)}</h2>",
             f'<p class="meta">notebook <code>{html.escape(sec.notebook)}</code></p>']
    parts += [_block(b) for b in sec.intro if b.strip()]
    if sec.error:
        parts.append(f'<p class="failed">This notebook failed: {_inline(sec.error)}</p>')
    for k, chart in enumerate(sec.charts, 1):
        alt = f"{sec.question}: {chart.heading or 'chart'} ({k})"
        b64 = base64.b64encode(chart.png).decode("ascii")
        parts.append(f'<figure><img src="data:image/png;base64,{b64}" alt="{html.escape(alt)}">'
                     f"<figcaption>{_inline(chart.heading)}</figcaption></figure>")
    if sec.conclusions:
        items = "".join(f"<li>{_inline(c)}</li>" for c in sec.conclusions)
        parts.append(f'<div class="conclusions"><h3>Conclusions</h3><ul>{items}</ul></div>')
    parts.append("</section>")
    return "\n".join(parts)


def render(sections: list[Section], data_dir: Path, now: datetime | None = None) -> str:
    """The whole report as one HTML document."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    toc = "".join(f'<li><a href="#{html.escape(Path(s.notebook).stem)}">{_inline(s.question)}'
                  "</a></li>" for s in sections)
    body = "\n".join(_section_html(s) for s in sections)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>Verdict Archive report</title><style>{_STYLE}</style></head><body>"
            "<header><h1>Verdict Archive report</h1>"
            f'<p class="meta">Warehouse <code>{html.escape(str(data_dir))}</code>; '
            f"generated {when}.</p><ul>{toc}</ul></header>\n{body}\n</body></html>\n")


def write_report(path: Path, sections: list[Section], data_dir: Path) -> Path:
    """Write the report to `path` (UTF-8) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(sections, data_dir), encoding="utf-8")
    return path
