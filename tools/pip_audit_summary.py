"""Read pip-audit's JSON report and say plainly what was and was not audited.

pip-audit reports a package it cannot look up (no network, a private index, a package not on PyPI) as skipped,
and its plain output then still ended "No known vulnerabilities found", with 173 of the packages never looked
at. This prints the known vulnerabilities, then how many packages were audited and which were not, and exits:

- 1 when a package has a known vulnerability (a real finding: CI fails);
- 2 when some were not audited and `--strict` is given (for CI that can reach the advisory service);
- 0 otherwise, with the packages not audited listed, so nobody reads silence as safety.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def summarise(report: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(findings, packages not audited, packages audited)."""
    findings: list[str] = []
    skipped: list[str] = []
    audited = 0
    for dependency in report.get("dependencies", []):
        name = f"{dependency.get('name')} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            findings.append(f"{name}: {vuln.get('id')} (fixed in {fixes})")
    return findings, skipped, audited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="pip-audit -f json output")
    parser.add_argument("--strict", action="store_true", help="fail when any package could not be audited")
    args = parser.parse_args(argv)
    findings, skipped, audited = summarise(json.loads(args.report.read_text(encoding="utf-8")))
    for finding in findings:
        print(f"VULNERABLE {finding}")
    total = audited + len(skipped)
    print(f"pip-audit: {audited} of {total} packages audited, {len(findings)} known vulnerabilities.")
    if skipped:
        print(
            f"NOT AUDITED ({len(skipped)} packages; the advisory service could not be asked about them, so nothing "
            f"is known either way): {', '.join(sorted(skipped))}"
        )
    if findings:
        return 1
    if skipped and args.strict:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
