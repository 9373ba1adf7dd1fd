"""Write docs/report.png: the top of a report of a demo store, for the README.

    python -m tools.make_report_shot

The demo store is the benchmarks' synthetic one (seeded: the same every time), a
month of it, rendered by the system's Chromium through Playwright.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOT = ROOT / "docs" / "report.png"


def main() -> int:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from playwright.sync_api import sync_playwright
    from synth import generate  # type: ignore[import-not-found]  # benchmarks/, on sys.path above

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("needs Chromium (apt install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        end = datetime(2026, 11, 30, 21, 0).astimezone()
        generate(base / "data", 120, years=0.33, seed=7, end=end)
        env = {
            **os.environ,
            **{
                f"ATTUNE_{k}_DIR": str(base / k.lower())
                for k in ("DATA", "CONFIG", "STATE", "CACHE")
            },
        }
        page_file = base / "report.html"
        attune = Path(sys.executable).with_name("attune")
        subprocess.run(
            [
                str(attune),
                "report",
                "--since",
                "2026-11-01",
                "--until",
                "2026-11-30",
                "-o",
                str(page_file),
            ],
            env=env,
            check=True,
        )
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 900, "height": 1100}, device_scale_factor=1)
            page.goto(page_file.as_uri())
            page.screenshot(path=str(SHOT), full_page=False)
            b.close()
    print(f"wrote {SHOT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
