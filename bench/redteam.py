"""Issue 11's red team re-run as one pass: ``python -m bench.redteam``.

Every reproduction (hostile SQL, parse bombs, no network, a deaf resolver, a silent
server, a full or read-only disk, DNS rebinding, a site that is down) runs in its own
fresh child process against a fresh temp data dir, with a HOME of its own (so a DuckDB
extension download would show as ``$HOME/.duckdb``). Prints a markdown table
``| attack | expected | result | exit | time s | peak RSS MB |`` and exits 1 if any row is
not as expected. The network and disk rows need ``unshare`` (user, mount and network
namespaces): where it is missing they fail, they are not skipped.

    python -m bench.redteam              # every row
    python -m bench.redteam -k sql       # the rows whose attack contains "sql"
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench._redteam_faults import NIGHT, fault_cases
from bench._redteam_inputs import Case, Ctx, input_cases
from bench._redteam_run import run, verdicts
from replica import Replica

__all__ = ["main"]


def _cell(text: str, width: int = 140) -> str:
    """`text` on one line, pipes escaped, cut to `width` characters."""
    one = " ".join(text.split())
    one = one if len(one) <= width else one[:width - 1] + "…"
    return one.replace("|", "\\|")


def _setup(root: Path, base_url: str) -> Ctx:
    """A data dir crawled once from the replica (its snapshot published), an export in
    it and a secret file beside it, and the children's environment."""
    home = root / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PREFECT_API_URL", "VERDICTS_DATA_DIR")}
    env.update(HOME=str(home), PREFECT_HOME=str(root / "prefect"),
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180")
    ctx = Ctx(root=root, data=root / "data", home=home, env=env)
    r = run(verdicts("crawl", base_url, "--data-dir", str(ctx.data), "--no-prefect",
                     "--rate", "0", "--no-robots", "--observed-at", NIGHT), env)
    if r.code != 0:
        raise SystemExit(f"redteam: the setup crawl failed: {r.err.strip()}")
    (ctx.data / "exports").mkdir(exist_ok=True)
    (ctx.data / "exports" / "mine.csv").write_text("a,b\n1,2\n")
    (root / "secret.csv").write_text("secret\nhunter2\n")
    return ctx


def _row(case: Case, ctx: Ctx) -> tuple[str, bool]:
    """One table row for `case`, and whether it went as expected."""
    try:
        result, ok, r = case.check(ctx)
    except Exception as exc:  # noqa: BLE001 - a broken reproduction is a failed row
        return (f"| {_cell(case.attack)} | {_cell(case.expected)} | **error**: "
                f"{_cell(f'{type(exc).__name__}: {exc}')} | | | |"), False
    mark = "" if ok else "**NOT AS EXPECTED** "
    return (f"| {_cell(case.attack)} | {_cell(case.expected)} | {mark}{_cell(result)} | "
            f"{r.code} | {r.seconds:.1f} | {r.peak_rss_mb:.0f} |"), ok


def main(argv: list[str] | None = None) -> int:
    """Run the red team; 0 when every row is as expected."""
    parser = argparse.ArgumentParser(prog="python -m bench.redteam", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", metavar="WORD",
                        help="only the rows whose attack contains WORD")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="redteam-") as tmp, \
            Replica(day=0, scale=10, crawl_delay=None) as replica:
        ctx = _setup(Path(tmp), replica.base_url)
        cases = [c for c in input_cases() + fault_cases(replica.base_url) if args.k in c.attack]
        print("| attack | expected | result | exit | time s | peak RSS MB |")
        print("|---|---|---|---|---|---|", flush=True)
        failed = 0
        for case in cases:
            line, ok = _row(case, ctx)
            failed += not ok
            print(line, flush=True)
    print(f"\n{len(cases) - failed} of {len(cases)} rows as expected", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
