"""English interface: the en catalogue is complete, compiled, and served under /en/ (Chinese stays at /)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govcredit.testing import City

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


def _unquote(chunks: list[str]) -> str:
    text = "".join(chunks)
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: entries with msgid, msgid_plural, msgstr forms and flags (obsolete #~ skipped)."""
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict = {"flags": set(), "msgid": [], "msgid_plural": [], "msgstr": {}}
        current: list[str] | None = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgid|msgid_plural|msgctxt) "(.*)"$', line):
                current = entry.setdefault(m.group(1), [])
                current.append(m.group(2))
            elif m := re.match(r'^msgstr(?:\[(\d+)\])? "(.*)"$', line):
                current = entry["msgstr"].setdefault(int(m.group(1) or 0), [])
                current.append(m.group(2))
            elif m := re.match(r'^"(.*)"$', line):
                assert current is not None, f"continuation line without a keyword in {path}: {line}"
                current.append(m.group(1))
        entries.append({
            "msgid": _unquote(entry["msgid"]),
            "msgid_plural": _unquote(entry["msgid_plural"]),
            "msgstr": {n: _unquote(parts) for n, parts in entry["msgstr"].items()},
            "flags": entry["flags"],
        })
    return entries


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


# --- the catalogue ------------------------------------------------------------------------------------


def test_po_file_is_complete() -> None:
    entries = parse_po(PO_FILE)
    header = [e for e in entries if e["msgid"] == ""]
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(header) == 1 and "Language: en" in header[0]["msgstr"][0]
    assert "fuzzy" not in header[0]["flags"], "the header is still marked fuzzy"
    assert len(messages) > 50, "the catalogue looks empty: run makemessages from the govcredit directory"
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages if not e["msgstr"] or not all(e["msgstr"].values())]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_placeholders_and_are_english() -> None:
    for e in parse_po(PO_FILE):
        if not e["msgid"]:
            continue
        expected = _placeholders(e["msgid"]) | _placeholders(e["msgid_plural"])
        for form in e["msgstr"].values():
            assert _placeholders(form) == expected, (e["msgid"], form)
            # Latin text; the only Chinese allowed is the native name of the Chinese language option.
            if e["msgid"] != "简体中文":
                assert not re.search(r"[\u4e00-\u9fff]", form), (e["msgid"], form)


def test_compiled_catalogue_matches_po() -> None:
    assert MO_FILE.exists(), "run: govcredit compilemessages"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in parse_po(PO_FILE):
        if e["msgid"] and not e["msgid_plural"]:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], f"django.mo is stale for {e['msgid']!r}"


# --- pages --------------------------------------------------------------------------------------------


@pytest.fixture
def credit_client(city: City) -> Client:
    client = Client()
    client.force_login(city.users["credit"], backend=MODEL_BACKEND)
    return client


def test_english_home_under_en_prefix(credit_client: Client) -> None:
    response = credit_client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in ("Organizations", "Civil servants", "Credit records", "Catalog", "Audit trail",
                 "Dashboard", "Under objection", "Log out"):
        assert text in html, text
    assert "工作台" not in html and "信用记录" not in html
    # Links inside the English site stay in English.
    assert 'href="/en/subjects/orgs/"' in html


def test_chinese_home_without_prefix(credit_client: Client) -> None:
    response = credit_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "工作台" in html and "信用记录" in html
    assert "Dashboard" not in html


def test_english_pages_render(credit_client: Client, city: City) -> None:
    with translation.override("en"):
        pages = {
            reverse("subjects:org_list"): "Unified social credit code",
            reverse("subjects:person_detail", args=[city.people["xuanwu"].pk]): "ID number",
            reverse("archive:record_detail", args=[city.records["qinhuai_penalty"].pk]): "Publicity period",
            reverse("catalog:type_list"): "Dual publicity",
            reverse("ledger:overview"): "Audit ledger",
        }
    for url, text in pages.items():
        assert url.startswith("/en/"), url
        response = credit_client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_login_page_in_english(client: Client) -> None:
    response = client.get("/en/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in to the Government Integrity Credit Platform" in html
    assert "Username" in html and "Password" in html
    assert "用户名" not in html


def test_login_page_in_chinese_by_default(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "登录政务诚信信息平台" in html and "Username" not in html


def test_anonymous_english_home_redirects_to_english_login(client: Client) -> None:
    response = client.get("/en/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_set_language_switches_via_url_prefix(credit_client: Client) -> None:
    # set_language translates `next` into the chosen language's URL and stores the choice in a cookie.
    response = credit_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Dashboard" in credit_client.get(response["Location"]).content.decode()

    # With prefix_default_language=False an unprefixed path always means the default language:
    # the cookie does not turn "/" into English, and there is no redirect to "/en/".
    response = credit_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and "工作台" in html


def test_set_language_back_to_chinese_drops_prefix(credit_client: Client) -> None:
    with translation.override("en"):
        english_catalog = reverse("catalog:type_list")
        setlang = reverse("set_language")
    response = credit_client.post(setlang, {"language": "zh-hans", "next": english_catalog})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert response["Location"] == "/catalog/"
