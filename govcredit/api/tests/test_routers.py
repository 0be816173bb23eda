"""Each app mounts its own router from its apps.py (api.common.register_router); api/api.py names none."""

from __future__ import annotations

from govcredit.api.api import api
from govcredit.api.common import registered_routers


def test_each_app_registers_its_router() -> None:
    assert sorted(registered_routers()) == sorted([
        ("/", "govcredit.accounts.api.router"), ("/subjects", "govcredit.subjects.api.router"),
        ("/catalog", "govcredit.catalog.api.router"), ("/", "govcredit.archive.api.router"),
        ("/intake", "govcredit.intake.api.router"), ("/statistics", "govcredit.statistics.api.router"),
        ("/portal", "govcredit.disclosure.api.router"), ("/exchange", "govcredit.exchange.api.router"),
        ("/workflow", "govcredit.workflow.api.router"), ("/reports", "govcredit.reports.api.router"),
        ("/sanctions", "govcredit.sanctions.api.router"),
        ("/remedies", "govcredit.remedies.api.router"),
        ("/commitments", "govcredit.commitments.api.router"),
        ("/obligations", "govcredit.obligations.api.router"),
        ("/indicators", "govcredit.indicators.api.router"),
    ])
    paths = api.get_openapi_schema()["paths"]
    for prefix in ("/api/subjects/", "/api/catalog/", "/api/intake/", "/api/statistics/", "/api/portal/",
                   "/api/exchange/", "/api/records", "/api/tokens", "/api/workflow/", "/api/reports/",
                   "/api/remedies/", "/api/obligations", "/api/commitments/", "/api/indicators/"):
        assert any(path.startswith(prefix) for path in paths), prefix
