"""A web process loads the data libraries only where they are used: Django with every app and the whole
URLconf (every view and the API, as a web worker has them after its first request) imports neither polars
nor the Excel libraries, which a report, a list page or the API's reads never need. They cost a worker
about 45 MB (issue 13: a report's PDF within 200 MB peak; ``benchmarks/reports.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]
HEAVY = ("polars", "openpyxl", "xlsxwriter", "pandas", "pyarrow")
WORKER = f"""
import json, sys, django
django.setup()
from django.urls import get_resolver
assert get_resolver().url_patterns
from govcredit.reports import pdf, services  # what making a report's PDF imports
loaded = [m for m in {HEAVY!r} if m in sys.modules]
import govcredit.intake.services  # an import batch does load polars: the check sees it
print(json.dumps({{"worker": loaded, "intake": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def test_a_web_process_does_not_import_the_data_libraries() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "govcredit.settings"}
    out = subprocess.run([sys.executable, "-c", WORKER], cwd=PROJECT, env=env, text=True,  # noqa: S603
                         capture_output=True, check=True, timeout=120).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded["worker"] == []
    assert "polars" in loaded["intake"]
