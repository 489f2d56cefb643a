"""`verdicts schedule` without a server to schedule on, and the flow as a served run's
process receives it (the cause of "Nightly_CrawlModel is not fully defined")."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import cloudpickle
import pytest

from cli._main import main as cli_main
from flows.nightly import nightly_crawl

ROOT = Path(__file__).resolve().parents[2]


def _verdicts(home: Path, *args: str, api: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home))  # no profile with an API URL either
    if api:
        env["PREFECT_API_URL"] = api
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def test_the_flow_a_served_run_receives_validates_its_parameters(tmp_path: Path) -> None:
    # A served deployment sends the Flow to its run's process with cloudpickle, which
    # copies the function by value with only the globals its code uses; Prefect then
    # validates the parameters against the annotations in that process.
    blob = tmp_path / "flow.pkl"
    blob.write_bytes(cloudpickle.dumps(nightly_crawl))
    code = ("import sys, cloudpickle\n"
            "flow = cloudpickle.loads(open(sys.argv[1], 'rb').read())\n"
            "params = flow.validate_parameters({'base_url': 'http://127.0.0.1:1',\n"
            "    'observed_at': '2025-06-02T03:00:00Z', 'rate': '2.5'})\n"
            "print(repr(params['observed_at']), repr(params['rate']))\n")
    done = subprocess.run([sys.executable, "-c", code, str(blob)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == (
        "datetime.datetime(2025, 6, 2, 3, 0, tzinfo=TzInfo(0)) 2.5")


def test_schedule_without_a_prefect_server_refuses_and_says_what_to_run(tmp_path: Path) -> None:
    done = _verdicts(tmp_path, "schedule", "http://127.0.0.1:8000", "--rate", "20",
                     "--cron", "*/10 * * * *")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("verdicts schedule: no Prefect server to schedule on "
                               "(PREFECT_API_URL is not set)")
    commands = [line.split("#")[0].strip() for line in lines[1:]]
    assert commands == ["prefect server start",
                        "export PREFECT_API_URL=http://127.0.0.1:4200/api",
                        "verdicts schedule http://127.0.0.1:8000 --rate 20 --cron '*/10 * * * *'"]
    assert done.stdout == ""  # nothing served


def test_schedule_with_a_server_that_does_not_answer_exits_1(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    done = _verdicts(tmp_path, "schedule", "http://127.0.0.1:8000", api=api)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"verdicts schedule: the Prefect API at {api} does not answer")


def test_schedule_help_says_it_needs_a_server() -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "schedule", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    text = done.stdout
    assert "refuses (exit 2)" in text and "prefect server start" in text
    assert "export PREFECT_API_URL=http://127.0.0.1:4200/api" in text
    assert "verdict-archive-writer" in text


@pytest.mark.parametrize("args", [["--cron", "not a cron"], ["--timezone", "Mars/Olympus"],
                                  ["https://shiporskip.io", "--no-robots"]])
def test_schedule_refuses_bad_options(args: list[str], capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    assert cli_main(["schedule", *args]) == 2
    assert capsys.readouterr().err.startswith("verdicts schedule: ")
