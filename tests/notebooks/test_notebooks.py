"""The notebooks run top to bottom on a fixture warehouse and save their charts as PNG."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from cli import main
from cli.report import NOTEBOOKS_DIR, _this_python_kernel, execute_notebook

NOTEBOOKS = {
    "ship_rates_by_vendor.ipynb": {
        "ship_rates_by_vendor_current.png",
        "ship_rates_by_vendor_over_time.png",
    },
    "persona_drift.ipynb": {"persona_drift_scores.png", "persona_drift_flips.png"},
}


def test_the_kernel_runs_this_interpreter() -> None:
    """Whatever kernel specs the machine has, the notebooks run on the venv's Python."""
    with _this_python_kernel() as km:
        assert km.kernel_spec is not None
        assert km.kernel_spec.argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_executes_and_saves_charts(name: str, analytics_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    executed = execute_notebook(NOTEBOOKS_DIR / name, analytics_dir, out)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert not errors
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == NOTEBOOKS[name]
    for png in pngs:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_report_command(
    analytics_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert main(["report", "--data-dir", str(analytics_dir), "--out", str(out)]) == 0
    assert {p.name for p in out.glob("*.png")} == set().union(*NOTEBOOKS.values())
    assert "ship_rates_by_vendor.ipynb: 2 chart(s)" in capsys.readouterr().out
    assert main(["report", "--data-dir", str(tmp_path / "none")]) == 2
