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
