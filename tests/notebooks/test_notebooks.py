"""The notebooks run top to bottom on a fixture warehouse: each opens with its question,
saves its charts as PNG (also inside the executed notebook) and ends with conclusions."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import nbformat
import pytest

from cli import main
from cli.report import NOTEBOOKS_DIR, _this_python_kernel, execute_notebook

NOTEBOOKS = {
    "ship_rates_by_vendor.ipynb": (
        "Which vendors ship, and how is it moving?",
        ["ship_rates_by_vendor_current.png", "ship_rates_by_vendor_over_time.png"],
    ),
    "persona_drift.ipynb": (
        "Which critics grow harsher?",
        ["persona_drift_scores.png", "persona_drift_changes.png"],
    ),
}
ALL_PNGS = {png for _, pngs in NOTEBOOKS.values() for png in pngs}


def test_the_kernel_runs_this_interpreter() -> None:
    """Whatever kernel specs the machine has, the notebooks run on the venv's Python."""
    with _this_python_kernel() as km:
        assert km.kernel_spec is not None
        assert km.kernel_spec.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_committed_without_outputs_question_first_conclusions_last(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.splitlines()[0] == f"# {NOTEBOOKS[name][0]}"
    assert nb.cells[-1].cell_type == "code"
    assert nb.cells[-1].metadata.get("tags") == ["conclusions"]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_executes_and_saves_charts(name: str, analytics_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    executed = execute_notebook(NOTEBOOKS_DIR / name, analytics_dir, out)
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    pngs = NOTEBOOKS[name][1]
    assert {p.name for p in out.glob("*.png")} == set(pngs)
    # The executed notebook shows the very PNG files, in order (issue 8: it held none).
    shown = [base64.b64decode(o.data["image/png"]) for o in outputs
             if o.output_type == "display_data" and "image/png" in o.data]
    assert shown == [(out / png).read_bytes() for png in pngs]
    for png in pngs:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Conclusions are computed sentences with numbers in them.
    last = nb.cells[-1]
    lines = "".join(o.text for o in last.outputs if o.output_type == "stream").splitlines()
    assert len(lines) >= 3 and all(any(ch.isdigit() for ch in ln) for ln in lines[:2]), lines


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_report_command(
    analytics_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert main(["report", "--data-dir", str(analytics_dir), "--out", str(out)]) == 0
    assert {p.name for p in out.glob("*.png")} == ALL_PNGS
    printed = capsys.readouterr().out
    assert "ship_rates_by_vendor.ipynb: 2 chart(s)" in printed
    assert f"report: {out / 'report.html'} (4 chart(s) embedded, 2 notebook(s))" in printed
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 4
    for png in ALL_PNGS:  # the very bytes of each PNG, embedded
        assert base64.b64encode((out / png).read_bytes()).decode() in page
    for question, _ in NOTEBOOKS.values():
        assert f"<h2>{question}</h2>" in page
    assert page.count('<div class="conclusions">') == 2
    assert "http://" not in page and "https://" not in page  # nothing to fetch
    assert main(["report", "--data-dir", str(tmp_path / "none")]) == 2
