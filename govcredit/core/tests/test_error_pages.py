"""403, 404 and 500 answers are pages of the site: its frame, the page's language, a way back; a 403 is
logged as one line, not a traceback."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from govcredit.core.logs import OneLineForbidden
from govcredit.core.views import server_error
from govcredit.testing import City

pytestmark = pytest.mark.django_db
FRAME = 'class="brand"'


def test_not_found_is_a_page_of_the_site_in_both_languages(city: City) -> None:
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and FRAME in html and "页面不存在" in html and 'href="/portal/"' in html
    english = Client().get("/en/no-such-page/").content.decode()
    assert "Page not found" in english and "页面不存在" not in english
    staff = Client()
    staff.force_login(city.users["district"])
    html = staff.get(f"/subjects/people/{city.people['qinhuai'].pk}/").content.decode()  # out of scope: not found
    assert "页面不存在" in html and FRAME in html and 'href="/"' in html


def test_forbidden_is_a_page_of_the_site(city: City) -> None:
    public = Client()
    public.force_login(city.users["public"])
    response = public.get("/intake/upload/")
    html = response.content.decode()
    assert response.status_code == 403 and FRAME in html and "无权访问" in html and "返回首页" in html
    assert "Access denied" in public.get("/en/intake/upload/").content.decode()


def test_server_error_is_a_page_of_the_site() -> None:
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and FRAME in html and "系统出错" in html


def test_a_forbidden_request_is_logged_as_one_line() -> None:
    try:
        raise PermissionError("denied")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden (Permission denied): %s",
                               ("/intake/upload/",), exc_info)
    record.status_code = 403
    assert OneLineForbidden().filter(record) and record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)
    other = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), exc_info)
    other.status_code = 500
    assert OneLineForbidden().filter(other) and other.exc_info is not None  # real faults keep their traceback
    logging_config: dict[str, Any] = settings.LOGGING  # dictConfig's nested dicts
    assert "one_line_forbidden" in logging_config["handlers"]["console"]["filters"]
