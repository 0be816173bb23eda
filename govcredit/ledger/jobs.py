"""The ledger's scheduled whole-ledger verification (registered in ``apps.py``), run in a worker."""

from __future__ import annotations

import logging

from django.db.models import Max

from govcredit.core import jobs

from .models import LedgerEntry
from .verification import verify

logger = logging.getLogger("govcredit.jobs")

LEDGER_JOB = "留痕账本核验"
LEDGER_TASK = "govcredit.ledger.jobs.verify_ledger"


def verify_ledger() -> int | None:
    """The whole-ledger check (nightly, and on request from the ledger page), run in a worker.

    Progress and the result go to the job's state row, which the ledger page shows; findings are also
    logged as errors for the operators. Returns the number of findings, or None when another run holds
    the claim.
    """
    if not jobs.start(LEDGER_JOB, LedgerEntry.objects.aggregate(last=Max("seq"))["last"] or 0):
        return None
    try:
        report = verify(progress=lambda n: jobs.advance(LEDGER_JOB, n))
    except BaseException as e:
        jobs.finish(LEDGER_JOB, False, {"error": f"{type(e).__name__}: {e}"[:500]})
        raise
    for finding in report.findings:
        logger.error("留痕核验：%s", finding.message)
    result = report.as_dict()
    result["finding_count"] = len(report.findings)
    result["findings"] = result["findings"][:jobs.KEPT_FINDINGS]
    jobs.finish(LEDGER_JOB, report.ok, result)
    return len(report.findings)
