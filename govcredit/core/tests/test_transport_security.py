"""One variable, GOVCREDIT_HTTPS=1, switches on everything a site served over HTTPS needs; the
Content-Security-Policy is always sent; the web server does not name its version."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from govcredit.core.management.commands.serve import gunicorn_command
from govcredit.testing import City, database_url

PROJECT = Path(__file__).resolve().parents[3]
SHOW = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The ``govcredit`` command in a fresh process with production-like keys and the given environment."""
    full = {k: v for k, v in os.environ.items()  # without the browser tests' async override, as in production
            if not k.startswith("GOVCREDIT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full.update({"DJANGO_SETTINGS_MODULE": "govcredit.settings", "GOVCREDIT_VAR_DIR": str(tmp_path),
                 "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "GOVCREDIT_DEBUG": "0",
                 "GOVCREDIT_SECRET_KEY": secrets.token_urlsafe(50), "GOVCREDIT_ALLOWED_HOSTS": "credit.nanjing.gov.cn",
                 **env})
    return subprocess.run([sys.executable, "-m", "govcredit.cli", *args], cwd=PROJECT, env=full,
                          capture_output=True, text=True, timeout=120, check=False)


def test_one_variable_switches_https_on(tmp_path: Path) -> None:
    off = _run(["shell", "--no-imports", "-c", SHOW], tmp_path)
    on = _run(["shell", "--no-imports", "-c", SHOW], tmp_path, GOVCREDIT_HTTPS="1")
    assert off.stdout.split() == ["False", "False", "False", "0", "None"], off.stderr
    assert on.stdout.strip() == "True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')", on.stderr


def test_check_deploy_passes_only_with_https(tmp_path: Path) -> None:
    passed = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, GOVCREDIT_HTTPS="1")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    failed = _run(["check", "--deploy", "--fail-level", "WARNING"], tmp_path)
    assert failed.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in failed.stdout + failed.stderr


@pytest.mark.django_db
def test_https_headers_behind_the_proxy(city: City, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = 31536000, True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client()
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200 and "max-age=31536000" in secure["Strict-Transport-Security"]
    assert secure.cookies["csrftoken"]["secure"]
    login = client.post("/accounts/login/", {"username": "credit", "password": "Test-Passw0rd!"},
                        HTTP_X_FORWARDED_PROTO="https")
    assert login.status_code == 302 and login.cookies["sessionid"]["secure"]


@pytest.mark.django_db
def test_strict_policy_on_pages_portal_and_api_docs(city: City) -> None:
    client = Client()
    client.force_login(city.users["credit"])
    for url in ["/", "/portal/", "/api/docs", "/accounts/login/"]:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'" and directives["object-src"] == "'none'", url
        assert "unsafe" not in policy, url
    assert "X-Powered-By" not in client.get("/") and "Server" not in client.get("/")


def test_gunicorn_does_not_name_its_version(db: None) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "govcredit.settings"}
    server = subprocess.Popen(gunicorn_command(f"127.0.0.1:{port}", 1), cwd=PROJECT, env=env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:  # noqa: S310
                    headers = r.headers
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert headers["Server"] == "gunicorn", headers["Server"]
    assert "Content-Security-Policy" in headers and "X-Powered-By" not in headers
