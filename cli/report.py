"""`verdicts report`: run the analysis notebooks on the warehouse; write their charts as PNG
and one self-contained HTML report (questions, embedded charts, conclusions)."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cli._options import Subparsers, add_command, add_data_dir, fail
from cli._report_html import Section, section_from_notebook, write_report
from flows import settings

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
#: The kernel the notebooks name (their metadata.kernelspec.name).
KERNEL_NAME = "python3"
REPORT_NAME = "report.html"

DESCRIPTION = """\
Execute every notebook in notebooks/ top to bottom against the warehouse (read-only, via
the published snapshot) and write to --out (default: reports/): their charts as PNG files,
each executed notebook (with its charts inside), and report.html, one self-contained page
with each notebook's question, charts (embedded) and conclusions, readable offline. The
notebooks read $VERDICTS_DATA_DIR and $VERDICTS_REPORT_DIR, which this command sets.
Exit status 1 if a notebook fails (the report still shows the others).
"""


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    """Register `verdicts report`."""
    p = add_command(
        subparsers, "report", help="run the notebooks and write their charts as PNG files",
        description=DESCRIPTION,
    )
    add_data_dir(p)
    p.add_argument("--out", default="reports", help="output directory (default: reports/)")
    p.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    p.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: every notebooks/*.ipynb)",
    )
    p.add_argument("--html", default=REPORT_NAME,
                   help=f"name of the HTML report in --out (default: {REPORT_NAME})")
    p.set_defaults(func=run)
    return p


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block (the kernel inherits them), then restore."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def _this_python_kernel() -> Iterator[KernelManager]:
    """A manager for a 'python3' kernel that runs on this very interpreter (the venv's),
    whatever kernel specs or `python` the machine has: ipykernel writes its own spec
    (argv: sys.executable -m ipykernel_launcher …) into a temporary directory, the only
    one searched."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    with tempfile.TemporaryDirectory(prefix="verdicts-kernels-") as kernels:
        write_kernel_spec(Path(kernels) / KERNEL_NAME)
        specs = KernelSpecManager(kernel_dirs=[kernels], ensure_native_kernel=False)
        yield KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def execute_notebook(path: Path, data_dir: Path, out_dir: Path, timeout: int = 600) -> Path:
    """Run one notebook with this interpreter's ipykernel; write the executed copy to
    `out_dir` and return its path. Raises nbclient's CellExecutionError on failure."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "VERDICTS_DATA_DIR": str(data_dir.resolve()),
        "VERDICTS_REPORT_DIR": str(out_dir.resolve()),
        "MPLBACKEND": "Agg",
    }
    with _env(env), _this_python_kernel() as km:
        client = NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            kernel_name=KERNEL_NAME,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        finally:
            executed = out_dir / path.name
            nbformat.write(nb, executed)  # type: ignore[no-untyped-call]
    return executed


def _one_line(exc: Exception) -> str:
    """A failed notebook in one line: the cell's exception (nbclient's ename/evalue), else
    the first line of the error."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        value = next((ln for ln in str(evalue or "").splitlines() if ln.strip()), "")
        return f"{ename}: {value}" if value else str(ename)
    return next((ln for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)


def _run_one(path: Path, data: Path, out: Path, timeout: int) -> Section:
    """Execute one notebook and read it back as a report section (with its error, if any)."""
    import nbformat

    before = set(out.glob("*.png")) if out.exists() else set()
    error = None
    try:
        executed = execute_notebook(path, data, out, timeout)
    except Exception as exc:  # noqa: BLE001 - report and go on with the next notebook
        error = _one_line(exc)
        fail("report", f"{path.name} failed: {error}")
        executed = out / path.name
    else:
        pngs = sorted(set(out.glob("*.png")) - before) or sorted(out.glob(f"{path.stem}*.png"))
        print(f"{path.name}: {len(pngs)} chart(s) -> {out}/")
        for png in pngs:
            print(f"  {png.name}")
    nb = nbformat.read(executed, as_version=4) if executed.exists() else {}  # type: ignore[no-untyped-call]
    return section_from_notebook(nb, path.name, error)


def run(args: argparse.Namespace) -> int:
    """Run `verdicts report`."""
    data = settings.data_dir(args.data_dir)
    if not settings.db_path(data).exists():
        fail("report", f"no warehouse at {settings.db_path(data)}")
        return 2
    paths: Sequence[Path] = args.notebooks or sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sections = [_run_one(path, data, out, args.timeout) for path in paths]
    report = write_report(out / args.html, sections, data.resolve())
    charts = sum(len(s.charts) for s in sections)
    print(f"report: {report} ({charts} chart(s) embedded, {len(sections)} notebook(s))")
    return 1 if any(s.error for s in sections) else 0
