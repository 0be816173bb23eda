"""Government intranets have no internet: no page may load a script, style or font from outside."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from govcredit.testing import City

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_and_api_docs_use_local_assets_only(city: City) -> None:
    client = Client()
    client.force_login(city.users["credit"])
    pages = ["/", "/subjects/orgs/", f"/subjects/people/{city.people['xuanwu'].pk}/", "/archive/records/new/",
             "/catalog/", "/ledger/", "/intake/", "/api/docs", "/accounts/login/"]
    for url in pages:
        response = (Client() if url == "/accounts/login/" else client).get(url)
        assert response.status_code == 200, url
        found = EXTERNAL.findall(response.content.decode())
        assert not found, f"{url} loads external assets: {found}"
