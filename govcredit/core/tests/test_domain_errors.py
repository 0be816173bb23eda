"""A domain rule's refusal (``core.errors.DomainError``) is answered once for pages and once for the API."""

import pytest
from django.test import Client


@pytest.mark.urls("govcredit.core.tests.domain_error_urls")
@pytest.mark.django_db
def test_a_page_answers_a_domain_error_in_the_site_frame() -> None:
    refused = Client().get("/refused/")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "该批次已处理完毕，不能再修改" in page and "无法办理" in page and 'class="topbar"' in page
    conflict = Client().get("/conflict/")
    assert conflict.status_code == 409 and "已有相同的记录" in conflict.content.decode()


@pytest.mark.urls("govcredit.core.tests.domain_error_urls")
@pytest.mark.django_db
def test_the_api_answers_a_domain_error_with_its_status_and_message() -> None:
    refused = Client().get("/api/refused")
    assert refused.status_code == 422
    assert refused.json() == {"detail": "起始日期不能晚于截止日期",
                              "errors": [{"field": "start", "message": "起始日期不能晚于截止日期"}]}
    conflict = Client().get("/api/conflict")
    assert conflict.status_code == 409 and conflict.json() == {"detail": "已有相同的记录"}


#: Exceptions of the package that are not a rule's refusal, and why.
NOT_DOMAIN = {
    "govcredit.ledger.models.LedgerBypassError": "a programming error: code wrote a ledgered row past the services",
    "govcredit.core.typesetting.FontsMissing": "a deployment error: the CJK fonts are not installed",
    "govcredit.core.params.BadParameter": "a malformed request parameter (Django's BadRequest: 400)",
    "govcredit.core.tables.UnknownSort": "a form field's error (Django's ValidationError)",
}


def test_every_exception_of_the_package_is_a_domain_error_or_says_why_not() -> None:
    import importlib
    import inspect
    import pkgutil

    import govcredit
    from govcredit.core.errors import DomainError

    skipped = ("tests", "migrations", "management", "browser_tests")
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(govcredit.__path__, "govcredit."):
        if any(part in skipped for part in info.name.split(".")) or info.name in {"govcredit.wsgi", "govcredit.cli"}:
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    assert "govcredit.core.reading.FileRejected" in found and "govcredit.intake.writer.BatchConflict" in found
    outside = sorted(name for name, cls in found.items() if not issubclass(cls, DomainError) and name not in NOT_DOMAIN)
    assert outside == []
    assert set(NOT_DOMAIN) <= set(found)  # the list names only classes that exist


def test_intake_refusals_are_domain_errors() -> None:
    from govcredit.core.errors import Conflict, DomainError
    from govcredit.intake.sources import FileRejected
    from govcredit.intake.writer import BatchConflict

    assert issubclass(FileRejected, DomainError) and FileRejected("x").status == 422
    assert issubclass(BatchConflict, Conflict) and BatchConflict("x").status == 409
