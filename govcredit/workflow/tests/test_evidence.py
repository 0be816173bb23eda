"""Evidence: PDF, JPEG and PNG recognised by their bytes, a size limit, stored under MEDIA_ROOT by SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govcredit.testing import City, on_day
from govcredit.workflow import services
from govcredit.workflow.models import Evidence

from .conftest import open_sample

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(on_day(dt.date(2026, 11, 2)))]
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.GOVCREDIT_EVIDENCE_MAX_BYTES = 1024
    return tmp_path


@pytest.mark.parametrize(("data", "ctype"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_accepted_types_are_stored_by_their_hash(city: City, media: Path, data: bytes, ctype: str) -> None:
    case = open_sample(city)
    evidence = services.attach_evidence(case, "整改报告.bin", data, city.users["district"])
    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.content_type, evidence.sha256, evidence.size) == (ctype, digest, len(data))
    assert (media / evidence.path).read_bytes() == data
    assert digest in evidence.path


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a" + b"\x00" * 10, "只接受 PDF、JPEG 或 PNG"),
    (b"<html>%PDF-</html>", "只接受 PDF、JPEG 或 PNG"),  # the magic must come first
    (b"", "文件为空"),
    (b"%PDF-" + b"x" * 1024, "上限"),
])
def test_refused_files_leave_nothing(city: City, media: Path, data: bytes, message: str) -> None:
    case = open_sample(city)
    with pytest.raises(ValidationError, match=message):
        services.attach_evidence(case, "x.pdf", data, city.users["district"])
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_only_those_who_act_on_the_case_may_add_evidence(city: City, media: Path) -> None:
    case = open_sample(city)
    with pytest.raises(PermissionDenied):
        services.attach_evidence(case, "x.pdf", PDF, city.users["personnel"])
    qinhuai = open_sample(city, org="qinhuai")
    with pytest.raises(PermissionDenied, match="管辖范围"):
        services.attach_evidence(qinhuai, "x.pdf", PDF, city.users["district"])


def test_upload_through_the_api(city: City, media: Path) -> None:
    case = open_sample(city)
    client = Client()
    client.force_login(city.users["district"])
    url = f"/api/workflow/cases/{case.pk}/evidence"
    response = client.post(url, {"file": SimpleUploadedFile("报告.pdf", PDF)})
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    response = client.post(url, {"file": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00")})
    assert response.status_code == 422 and "PDF" in response.json()["errors"][0]["message"]
    assert client.get(f"/api/workflow/cases/{case.pk}").json()["evidence"][0]["name"] == "报告.pdf"
