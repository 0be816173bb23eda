"""The statistics' part of the demo city: the first full refresh, so the pages have figures at once."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from tqdm import tqdm

from govcredit.core.demo import DemoRun

from .services import double_publicity_records, refresh


def first_refresh(run: DemoRun) -> Mapping[str, int]:
    with tqdm(total=double_publicity_records().count(), desc="双公示统计", unit="条", file=sys.stderr,
              disable=not run.progress, leave=True, dynamic_ncols=True) as bar:
        result = refresh(full=True, progress=bar.update)
    return {"统计的双公示决定": result.computed}
