#!/usr/bin/env python
"""Run every ``bench/bench_*.py`` on SQLite and (when reachable) PostgreSQL; write docs/benchmarks.md.

Each benchmark module exposes ``run(scale) -> list[Result]`` (see ``bench/common.py``). Every
database gets its own child process, because Django reads DATABASE_URL once at start-up:

    BENCH_SCALE=small .venv/bin/python bench/run.py        # about a minute (make bench)
    BENCH_SCALE=full  .venv/bin/python bench/run.py        # the numbers quoted in the docs

SQLite uses a throwaway file under var/bench/; PostgreSQL uses the database BENCH_PG_DB (default
``guanxi_bench``; dropped and re-created each run) on BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432). BENCH_DATABASES=postgresql (or sqlite) runs only one.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "benchmarks.md"
MARK = "BENCH-RESULTS "


def modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))


# --- child: one database ---------------------------------------------------------------------
def run_child(scale: str, only: list[str]) -> None:
    """Migrate the database in DATABASE_URL, run each benchmark, print the results as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import warnings

    import django

    # whitenoise warns when collectstatic has not run; static files play no part in the timings
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    out: dict = {"database": version, "benchmarks": {}}
    # Templates call {% static %}: use plain storage so no collectstatic manifest is needed.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        for name in modules():
            if only and name not in only:
                continue
            module = importlib.import_module(f"bench.{name}")
            started = time.perf_counter()
            print(f"  {version}: {name} …", file=sys.stderr, flush=True)
            results = module.run(scale)
            out["benchmarks"][name] = {
                "doc": (module.__doc__ or "").strip(),
                # prose after the table: what was changed and what it gained (see bench_customers)
                "epilogue": getattr(module, "EPILOGUE", "").strip(),
                "seconds": round(time.perf_counter() - started, 1),
                "results": [r.as_dict() for r in results],
            }
    print(MARK + json.dumps(out))


# --- parent: databases, machine facts, markdown ------------------------------------------------
def postgres_url() -> str | None:
    """Create a fresh guanxi_bench database; None when PostgreSQL is not reachable."""
    import psycopg

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = os.environ.get("BENCH_PG_DB", "guanxi_bench")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"BENCH_PG_DB must be a plain database name, not {name!r}")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}): SQLite only", file=sys.stderr)
        return None
    return f"{base}/{name}"


def sqlite_url() -> str:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("bench.sqlite3*"):
        path.unlink()
    return f"sqlite:///{folder / 'bench.sqlite3'}"


def run_database(url: str, scale: str, only: list[str]) -> dict:
    # GUANXI_TEST_APPS: bench_scopes loads rows into the test app's Gadget (a full PrimaryModel).
    env = {**os.environ, "DATABASE_URL": url, "BENCH_SCALE": scale, "DEBUG": "0", "GUANXI_TEST_APPS": "1"}
    args = [
        sys.executable,
        str(Path(__file__)),
        "--child",
        "--scale",
        scale,
        *[arg for o in only for arg in ("--only", o)],
    ]
    proc = subprocess.run(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)  # noqa: S603
    line = next(line for line in proc.stdout.splitlines() if line.startswith(MARK))
    return json.loads(line[len(MARK) :])


def machine() -> dict[str, str]:
    import django

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "Memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": django.get_version(),
        # Other work on the machine skews medians: a 1-minute load above the core count means noise.
        "Load average at start": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def render(scale: str, runs: list[dict], facts: dict[str, str], seconds: float) -> str:
    timings = [
        f"{run['database']} {name}: {b['seconds']} s" for run in runs for name, b in run["benchmarks"].items()
    ]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand. Each figure is the median",
        "of repeated runs after a warm-up; *ratio* = measured ÷ baseline (lower is better, 1.0 = as",
        "fast as the baseline).",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Scale: `{scale}` (`BENCH_SCALE=full make bench` for the large sizes)",
        f"- Databases: {', '.join(run['database'] for run in runs)}",
        f"- Total time: {seconds:.0f} s ({', '.join(timings)})",
        "",
        "| Machine | |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in facts.items()),
        "",
    ]
    names = sorted({name for run in runs for name in run["benchmarks"]})
    for name in names:
        doc = next(run["benchmarks"][name]["doc"] for run in runs if name in run["benchmarks"])
        title, _, body = doc.partition("\n")
        lines += [
            f"## {name.removeprefix('bench_')}: {title}",
            "",
            body.strip(),
            "",
            f"Run: {datetime.date.today().isoformat()}, scale `{scale}`.",
            "",
        ]
        results = [(run, r) for run in runs for r in run["benchmarks"].get(name, {}).get("results", [])]
        # Sections that quote tail latency get p95 columns next to the medians.
        tails = any(r.get("p95_ms") is not None for _run, r in results)
        lines += (
            [
                "| Database | Operation | Baseline | Rows | p50 ms | p95 ms | Baseline p50 | Baseline p95 "
                "| Ratio (p50) | Notes |",
                "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
            ]
            if tails
            else [
                "| Database | Operation | Baseline | Rows | Median ms | Baseline ms | Ratio | Notes |",
                "|---|---|---|--:|--:|--:|--:|---|",
            ]
        )
        for run, r in results:
            ratio = f"{r['ratio']:.1f}×" if r["baseline_median_ms"] else "–"
            base = f"{r['baseline_median_ms']:.2f}" if r["baseline_median_ms"] else "–"
            if tails:
                p95 = "–" if r.get("p95_ms") is None else f"{r['p95_ms']:.2f}"
                bp95 = "–" if r.get("baseline_p95_ms") is None else f"{r['baseline_p95_ms']:.2f}"
                lines.append(
                    f"| {run['database']} | {r['name']} | {r['baseline']} | {r['rows']:,} | "
                    f"{r['median_ms']:.2f} | {p95} | {base} | {bp95} | {ratio} | {r['notes']} |"
                )
            else:
                lines.append(
                    f"| {run['database']} | {r['name']} | {r['baseline']} | {r['rows']:,} | "
                    f"{r['median_ms']:.2f} | {base} | {ratio} | {r['notes']} |"
                )
        lines.append("")
        epilogue = next(
            (run["benchmarks"][name].get("epilogue") for run in runs if name in run["benchmarks"]), ""
        )
        if epilogue:
            lines += [epilogue, ""]
    return "\n".join(lines)


def keep_other_sections(report: str, previous: str, only: list[str]) -> str:
    """``--only`` re-runs some benchmarks: keep the previous report's sections of the others (each
    section says when and at which scale it ran; the header describes the latest run)."""
    rerun = {name.removeprefix("bench_") for name in only}
    date = re.search(r"^- Date: (\S+)", previous, re.MULTILINE)
    scale = re.search(r"^- Scale: `(\w+)`", previous, re.MULTILINE)
    stamp = f"Run: {date.group(1) if date else 'earlier'}, scale `{scale.group(1) if scale else '?'}`.\n\n"
    kept = []
    for section in previous.split("\n## ")[1:]:
        if section.split(":", 1)[0] in rerun:
            continue
        if "\nRun: " not in section:  # written by a full run: its scale was the report's
            section = section.replace("\n| Database |", "\n" + stamp + "| Database |", 1)
        kept.append("## " + section.rstrip() + "\n")
    head, *fresh = report.split("\n## ")
    sections = sorted([*kept, *("## " + f.rstrip() + "\n" for f in fresh)], key=lambda t: t.split(":", 1)[0])
    return head.rstrip() + "\n\n" + "\n".join(sections).rstrip()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["small", "full"], default=os.environ.get("BENCH_SCALE", "small"))
    parser.add_argument("--only", action="append", default=[], help="run only this module (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing it")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(modules()))
    if unknown:
        # an unknown name ran nothing and printed the old report as if it had run
        parser.error(f"no such benchmark: {', '.join(unknown)} (choose from {', '.join(modules())})")
    if args.child:
        run_child(args.scale, args.only)
        return 0
    started = time.perf_counter()
    facts = machine()
    wanted = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    urls = [sqlite_url()] if "sqlite" in wanted else []
    if "postgresql" in wanted and (pg := postgres_url()):
        urls.append(pg)
    runs = [run_database(url, args.scale, args.only) for url in urls]
    report = render(args.scale, runs, facts, time.perf_counter() - started)
    if args.only and OUT.exists():
        report = keep_other_sections(report, OUT.read_text(), args.only)
    if args.no_write:
        print(report)
    else:
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(report + "\n")
        print(f"wrote {OUT.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
