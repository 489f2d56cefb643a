"""`verdicts report`: run the analysis notebooks on the warehouse; save their charts as PNG."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cli._options import Subparsers, add_command, add_data_dir, fail
from flows import settings

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
#: The kernel the notebooks name (their metadata.kernelspec.name).
KERNEL_NAME = "python3"

DESCRIPTION = """\
Execute every notebook in notebooks/ top to bottom against the warehouse (read-only, via
the published snapshot) and write their charts as PNG files, plus each executed
notebook, to --out (default: reports/). The notebooks read $VERDICTS_DATA_DIR and
$VERDICTS_REPORT_DIR, which this command sets. Exit status 1 if a notebook fails.
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


def run(args: argparse.Namespace) -> int:
    """Run `verdicts report`."""
    data = settings.data_dir(args.data_dir)
    if not settings.db_path(data).exists():
        fail("report", f"no warehouse at {settings.db_path(data)}")
        return 2
    paths: Sequence[Path] = args.notebooks or sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    out = Path(args.out)
    failed = 0
    for path in paths:
        before = set(out.glob("*.png")) if out.exists() else set()
        try:
            execute_notebook(path, data, out, args.timeout)
        except Exception as exc:  # noqa: BLE001 - report and go on with the next notebook
            failed += 1
            first = next((ln for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            fail("report", f"{path.name} failed: {first}")
            continue
        pngs = sorted(set(out.glob("*.png")) - before) or sorted(out.glob(f"{path.stem}*.png"))
        print(f"{path.name}: {len(pngs)} chart(s) -> {out}/")
        for png in pngs:
            print(f"  {png.name}")
    return 1 if failed else 0
