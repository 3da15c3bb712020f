"""bench/results.json as a Markdown table, for the README's Performance section: `python -m bench.report`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def _value(measure: dict[str, Any]) -> str:
    value, unit = measure["value"], measure["unit"]
    if value is None:
        return "–"
    if unit == "x":
        return f"{value:.2f}x"
    if unit in ("queries", "requests", "errors", "decisions"):
        return f"{value:,.0f} {unit}"
    return f"{value:,.1f} {unit}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Machine: {m['cpus']} x {m['cpu_model']}, {m['memory_gb']} GB, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, gunicorn {m['gunicorn_workers']} workers; load average "
        f"{m['load_average_at_start'][0]:.1f} at the start, {m['load_average_at_end'][0]:.1f} at the end. "
        f"Profile `{results['profile']}`, {results['seconds'] / 60:.0f} minutes.",
        "",
        "| measure | value | goal | met |",
        "| --- | ---: | --- | --- |",
    ]
    for measure in results["measures"]:
        met = {True: "yes", False: "**no**", None: ""}[measure["met"]]
        note = f" ({measure['note']})" if measure.get("note") else ""
        lines.append(f"| {measure['name']}{note} | {_value(measure)} | {measure['goal'] or ''} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print(markdown(json.loads(path.read_text())))
