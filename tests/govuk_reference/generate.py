"""Regenerate extra_fixtures.json: random options from cases.py, rendered by govuk-frontend's own templates.

Needs Node.js and Nunjucks 3, which are not project dependencies:

    npm install --prefix /tmp/nunjucks nunjucks@3
    NODE_PATH=/tmp/nunjucks/node_modules .venv/bin/python tests/govuk_reference/generate.py [SEED PER_COMPONENT]

Cases that Nunjucks itself cannot render (a number as a notification banner's `text`: its `trim` filter
throws) are left out. The HTML is stored normalised, as the test compares it, to keep the file small.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.govuk_reference.cases import EDGE_CASES, random_cases  # noqa: E402
from tests.test_govuk_fixtures import normalise  # noqa: E402


def main() -> None:
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 2026
    per_component = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    cases = EDGE_CASES + random_cases(seed, per_component)
    dist = ROOT / "node_modules/govuk-frontend/dist"
    rendered = json.loads(
        subprocess.run(
            ["node", str(HERE / "render.js"), str(dist)],  # noqa: S607 - Node from PATH, as make assets uses it
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    fixtures = [
        {**case, "html": normalise(html)} for case, html in zip(cases, rendered, strict=True) if isinstance(html, str)
    ]
    version = json.loads((dist.parent / "package.json").read_text())["version"]
    out = {"govukFrontendVersion": version, "seed": seed, "fixtures": fixtures}
    (HERE / "extra_fixtures.json").write_text(json.dumps(out, indent=0, ensure_ascii=False) + "\n")
    print(f"{len(fixtures)} cases written, {len(cases) - len(fixtures)} left out (Nunjucks raised an error)")


if __name__ == "__main__":
    main()
