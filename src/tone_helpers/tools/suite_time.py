"""How long the test suite takes on this machine: runs pytest, records its clock and the wall time in a result file.

    python -m tone_helpers.tools.suite_time [--label TEXT] [--fresh] [--out FILE] [-- PYTEST ARGS]

``--fresh`` first deletes what a fresh clone does not have (the generated clips, the artifacts, Inductor's cache
of compiled kernels), as CI starts. The file (default ``data/artifacts/results/suite/<label>.json``; the
committed ones are in ``benchmarks/results/suite/``) holds the command, pytest's own clock (``pytest_s``), the
wall time with start-up (``wall_s``), the counts pytest printed and the machine's facts; docs/testing.md and
TEACHING.md quote those files, not a typed figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tone_helpers import paths
from tone_helpers.machine import machine_facts

SUMMARY = re.compile(r"(?P<counts>(?:\d+ \w+(?:, )?)+) in (?P<seconds>[\d.]+)s")


def fresh() -> None:
    """Remove the generated clips, the artifacts and Inductor's cache: what a new clone, as in CI, lacks."""
    for folder in (paths.REPO_ROOT / "data" / "generated", paths.ARTIFACTS_DIR):
        shutil.rmtree(folder, ignore_errors=True)
    for cache in Path(tempfile.gettempdir()).glob("torchinductor_*"):
        shutil.rmtree(cache, ignore_errors=True)


def run(pytest_args: list[str]) -> dict:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *pytest_args]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=paths.REPO_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = SUMMARY.search(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
    if summary is None:
        raise SystemExit(f"no pytest summary line in its output:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary["counts"])}
    return {
        "command": " ".join(["pytest", *pytest_args]),
        "exit_code": done.returncode,
        "counts": counts,
        "failed": [line[7:].split(" - ")[0] for line in done.stdout.splitlines() if line.startswith("FAILED ")],
        "pytest_s": float(summary["seconds"]),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="this machine")
    parser.add_argument("--fresh", action="store_true", help="start as a fresh clone does (no data, no caches)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("pytest_args", nargs="*", help="after --: what to pass to pytest")
    args = parser.parse_args()
    if args.fresh:
        fresh()
    result = {
        "label": args.label,
        "date": datetime.date.today().isoformat(),
        "fresh": args.fresh,
        "machine": machine_facts(),
        "run": run(args.pytest_args),
    }
    name = re.sub(r"[^a-z0-9]+", "-", args.label.lower()).strip("-")
    out = args.out or paths.ARTIFACTS_DIR / "results" / "suite" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result["run"]), "->", out)


if __name__ == "__main__":
    main()
