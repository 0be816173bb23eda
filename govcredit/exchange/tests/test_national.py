"""The national 双公示 export: columns in the standard's order, manifest hashes, increments, acknowledgements."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govcredit.archive.models import RecordStatus
from govcredit.archive.services import change_status, correct_record
from govcredit.catalog.models import RecordType
from govcredit.exchange import acks, national
from govcredit.exchange.models import ExchangeAck, ExchangeExport, ExchangeItem, ExportStatus
from govcredit.statistics.tests.factories import PERSON_ID, licence, penalty
from govcredit.subjects.identifiers import mask_id_number
from govcredit.testing import COUNTERPARTY_ID, City, streamed

pytestmark = pytest.mark.django_db


def _read(export: ExchangeExport, kind: str) -> list[list[str]]:
    f = export.files.get(kind=kind)
    text = national.file_path(export, f).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def _manifest(export: ExchangeExport) -> dict[str, Any]:
    f = export.files.get(kind="manifest")
    manifest: dict[str, Any] = json.loads(national.file_path(export, f).read_bytes())
    return manifest


@pytest.fixture
def decisions(city: City) -> City:
    city.records["company"] = penalty(city, "scjg", "宁市监罚〔2026〕11号", "2026-02-02", serial=11)
    city.records["person"] = penalty(city, "scjg", "宁市监罚〔2026〕12号", "2026-02-03", kind="自然人")
    city.records["warning"] = penalty(city, "scjg", "宁市监罚〔2026〕13号", "2026-02-04", kinds="警告", amount="", serial=13)
    city.records["licence"] = licence(city, "xinjiekou", "新街口许〔2026〕14号", "2026-02-05", serial=14)
    return city


def test_columns_follow_the_national_standard_order(decisions: City) -> None:
    export = national.run_export(operator="test")
    for code in ("xzcf", "xzxk"):
        version = RecordType.objects.get(code=code).current()
        rows = _read(export, code)
        assert rows[0] == [f["label"] for f in version.fields if f.get("national", True)]
    xzcf = _read(export, "xzcf")
    assert xzcf[0][:3] == ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)"] and xzcf[0][-1] == "备注"
    assert "严重程度" not in xzcf[0]  # not a column of the standard
    numbers = [dict(zip(xzcf[0], r, strict=True))["行政处罚决定书文号"] for r in xzcf[1:]]
    # The 警告-only penalty is not disclosed, so it is not sent; the city's 2025 penalty is.
    assert sorted(numbers) == ["宁市监罚〔2026〕11号", "宁市监罚〔2026〕12号", "秦市监罚〔2025〕12号"]
    company = next(row for r in xzcf[1:] if (row := dict(zip(xzcf[0], r, strict=True)))["行政处罚决定书文号"].endswith("11号"))
    assert company["处罚类别"] == "罚款" and company["罚款金额（万元）"] == "5" and company["处罚决定日期"] == "2026-02-02"
    assert company["违法行为类型"] == "价格违法" and company["处罚机关统一社会信用代码"] == decisions.orgs["scjg"].credit_code
    xzxk = _read(export, "xzxk")
    assert len(xzxk) == 2 and dict(zip(xzxk[0], xzxk[1], strict=True))["许可类别"] == "普通"
    assert export.counts == {"xzcf": 3, "xzxk": 1, "withdrawn": 0}
    items = ExchangeItem.objects.filter(export=export)
    assert items.count() == 4 and {i.record_id for i in items} >= {decisions.records["company"].pk}


def test_formula_like_cells_are_neutralised(city: City) -> None:
    penalty(city, "scjg", "=宁市监罚〔2026〕21号", "2026-02-02", serial=21, name='=HYPERLINK("http://evil","点击")',
            违法事实="@SUM(1+1)", 处罚依据="-2+3", 备注="+1")
    export = national.run_export(operator="test")
    xzcf = _read(export, "xzcf")
    row = next(row for row in (dict(zip(xzcf[0], r, strict=True)) for r in xzcf[1:])
               if "21号" in row["行政处罚决定书文号"])
    assert row["行政相对人名称"] == '\'=HYPERLINK("http://evil","点击")'
    assert row["行政处罚决定书文号"] == "'=宁市监罚〔2026〕21号"
    assert (row["违法事实"], row["处罚依据"], row["备注"]) == ("'@SUM(1+1)", "'-2+3", "'+1")
    assert row["罚款金额（万元）"] == "5"  # numbers stay numbers
    for kind in ("xzcf", "xzxk", "withdrawals"):
        for r in _read(export, kind):
            assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in r), r


def test_manifest_hashes_match_the_file_bytes(decisions: City) -> None:
    export = national.run_export(operator="test")
    manifest = _manifest(export)
    assert manifest["batch"] == export.batch_code and manifest["id_numbers"] == "masked"
    assert manifest["counts"] == export.counts and manifest["since"] is None
    directory = Path(settings.MEDIA_ROOT) / export.directory
    assert directory.is_dir() and str(directory).startswith(str(Path(settings.MEDIA_ROOT) / "exchange"))
    for entry in manifest["files"]:
        data = (directory / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == export.files.get(name=entry["name"]).sha256
        assert len(data) == entry["bytes"]
    manifest_bytes = (directory / f"{export.batch_code}_manifest.json").read_bytes()
    assert hashlib.sha256(manifest_bytes).hexdigest() == export.manifest_sha256
    assert oct((directory / manifest["files"][0]["name"]).stat().st_mode & 0o777) == "0o600"


def test_masked_by_default_and_full_only_for_an_allowed_operator(decisions: City) -> None:
    export = national.run_export(operator="test")
    text = "".join(national.file_path(export, f).read_text(encoding="utf-8") for f in export.files.all())
    assert PERSON_ID not in text and COUNTERPARTY_ID not in text
    assert mask_id_number(PERSON_ID) in text and "王*小" in text and "王二小" not in text
    with pytest.raises(national.ExportError):
        national.run_export(operator="submitter", user=decisions.users["submitter"], full_id_numbers=True,
                            everything=True)
    full = national.run_export(operator="credit", user=decisions.users["credit"], full_id_numbers=True,
                               everything=True)
    rows = _read(full, "xzcf")
    person = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == "王二小")
    assert person["证件号码"] == PERSON_ID and person["证件类型"] == "身份证"
    assert _manifest(full)["id_numbers"] == "full" and full.get_id_numbers_display().startswith("完整")


def test_masked_export_masks_personal_data_inside_text(city: City) -> None:
    spaced = " ".join(PERSON_ID[i:i + 4] for i in range(0, 18, 4))
    record = penalty(city, "scjg", f"宁市监罚〔2026〕22号（{spaced}）", "2026-02-02", kind="自然人",
                     处罚机关="南京市市场监督管理局（联系人138.2222.3333）", 违法事实=f"王二小（电话１３９－１１１１－２２２２）{spaced}")
    full = national.run_export(operator="credit", user=city.users["credit"], full_id_numbers=True)
    assert spaced in "".join(national.file_path(full, f).read_text(encoding="utf-8") for f in full.files.all())
    reported = national.run_export(operator="test", everything=True)
    change_status(record, RecordStatus.REVOKED, actor="credit", reason="撤销")
    withdrawn = national.run_export(operator="test")
    assert withdrawn.counts["withdrawn"] == 1
    text = "".join(national.file_path(e, f).read_text(encoding="utf-8")
                   for e in (reported, withdrawn) for f in e.files.all())
    assert text.count("宁市监罚〔2026〕22号（3201**********") == 2
    plain = re.sub(r"(?<=\d)[ .\-－](?=\d)", "", unicodedata.normalize("NFKC", text))
    for secret in (PERSON_ID, "13822223333", "13911112222", "王二小"):
        assert secret not in plain, secret


def test_incremental_export_sends_only_new_and_changed_rows(decisions: City) -> None:
    first = national.run_export(operator="test")
    assert first.total_rows == 4
    second = national.run_export(operator="test")
    assert second.since == first.until and second.total_rows == 0 and second.counts["withdrawn"] == 0
    new = licence(decisions, "xinjiekou", "新街口许〔2026〕21号", "2026-03-02", serial=21)
    company = decisions.records["company"]
    raw = {"行政相对人名称": "南京某某贸易有限公司11", "行政相对人类别": "法人及非法人组织",
           "统一社会信用代码": company.counterparty_code, "法定代表人": "赵大", "行政处罚决定书文号": "宁市监罚〔2026〕11号",
           "违法行为类型": "价格违法", "违法事实": "未明码标价（更正）", "处罚依据": "《中华人民共和国价格法》第四十二条",
           "处罚类别": "罚款", "处罚内容": "罚款", "罚款金额（万元）": "6", "处罚决定日期": "2026-02-02",
           "处罚机关": "南京市市场监督管理局", "处罚机关统一社会信用代码": decisions.orgs["scjg"].credit_code,
           "严重程度": "一般"}
    correct_record(company, raw, actor="credit", reason="金额更正")
    change_status(decisions.records["licence"], RecordStatus.REVOKED, actor="credit", reason="许可被撤销")
    third = national.run_export(operator="test")
    assert third.counts == {"xzcf": 1, "xzxk": 1, "withdrawn": 1}
    xzcf = _read(third, "xzcf")
    assert xzcf[1][xzcf[0].index("罚款金额（万元）")] == "6"
    assert _read(third, "xzxk")[1][xzxk_index("行政许可决定文书号")] == new.decision_number
    withdrawn = _read(third, "withdrawals")
    assert withdrawn[0] == national.WITHDRAWAL_HEADER and withdrawn[1][1] == "新街口许〔2026〕14号"
    assert withdrawn[1][4] == "已撤销"
    assert national.run_export(operator="test").total_rows == 0


def xzxk_index(label: str) -> int:
    return RecordType.objects.get(code="xzxk").current().field_labels().index(label)


def test_a_failed_run_does_not_move_the_watermark(decisions: City, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(national, "row_values", boom)
    with pytest.raises(RuntimeError):
        national.run_export(operator="test")
    failed = ExchangeExport.objects.get()
    assert failed.status == ExportStatus.FAILED and "磁盘已满" in failed.error
    monkeypatch.undo()
    retry = national.run_export(operator="test")
    assert retry.since is None and retry.total_rows == 4


def test_command_prints_the_batch_and_refuses_full_ids_without_operator(decisions: City) -> None:
    out, err = StringIO(), StringIO()
    call_command("export_national", stdout=out, stderr=err)
    assert ExchangeExport.objects.get().batch_code in out.getvalue() and "SHA-256" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("export_national", "--full-id-numbers", "--all", stdout=out, stderr=err)
    call_command("export_national", "--full-id-numbers", "--all", "--operator", "credit", stdout=out, stderr=err)
    assert ExchangeExport.objects.filter(id_numbers="full", operator="credit").count() == 1


# --------------------------------------------------------------------------- acknowledgements


def _ack_csv(export: ExchangeExport, rejected_row: int, reason: str) -> bytes:
    f = export.files.get(kind="xzcf")
    lines = ["文件名,行号,决定文书号,处理结果,原因"]
    for item in ExchangeItem.objects.filter(file=f).order_by("row_number"):
        ok = item.row_number != rejected_row
        lines.append(f"{f.name},{item.row_number},{item.decision_number},{'成功' if ok else '失败'},{'' if ok else reason}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_ack_import_marks_accepted_and_rejected_rows(decisions: City, tmp_path: Path) -> None:
    export = national.run_export(operator="test")
    path = tmp_path / "回执.csv"
    path.write_bytes(_ack_csv(export, 2, "统一社会信用代码与登记信息不一致"))
    out = StringIO()
    call_command("import_ack", str(path), stdout=out)
    assert "接收 2 条，拒绝 1 条" in out.getvalue()
    rejected = ExchangeAck.objects.get(accepted=False)
    assert rejected.item.row_number == 2 and rejected.reason == "统一社会信用代码与登记信息不一致"
    assert rejected.record_id == rejected.item.record_id
    # A later answer for the same row replaces the earlier one.
    fixed = {"batch": export.batch_code, "results": [
        {"decision_number": rejected.item.decision_number, "accepted": True, "reason": ""},
        {"decision_number": "不存在〔2026〕1号", "accepted": False},
        {"file": export.files.get(kind="xzcf").name, "row": 1, "result": "也许"},
    ]}
    result = acks.import_ack("ack.json", json.dumps(fixed).encode(), actor="credit")
    assert (result.accepted, result.rejected, len(result.errors)) == (1, 0, 2)
    assert "不存在〔2026〕1号" in result.errors[0] and "无法识别" in result.errors[1]
    assert ExchangeAck.objects.filter(accepted=False).count() == 0 and ExchangeAck.objects.count() == 3


def test_export_pages_in_english(decisions: City) -> None:
    export = national.run_export(operator="test")
    credit = Client()
    credit.force_login(decisions.users["credit"])
    upload = io.BytesIO(_ack_csv(export, 1, "决定日期晚于公示日期"))
    upload.name = "ack.csv"
    with translation.override("en"):
        upload_url, exports_url = reverse("exchange:ack_upload"), reverse("exchange:exports")
    response = credit.post(upload_url, {"file": upload})
    assert response.status_code == 302 and response["Location"].startswith("/en/exchange/national/")
    detail = credit.get(response["Location"]).content.decode()
    assert '<html lang="en">' in detail
    assert f"Export batch {export.batch_code}" in detail and "Manifest SHA-256" in detail
    assert 'accepted, <span class="bad">1</span> rejected' in detail and "Rejected records" in detail
    assert "Show all acknowledgements" in detail and "Decision document no." in detail
    for chinese in ("导出批次", "清单", "被拒绝的记录", "显示全部回执", "决定文书号", "接收", "拒绝"):
        assert chinese not in detail, chinese
    assert "决定日期晚于公示日期" in detail  # the reason is data
    listing = credit.get(exports_url).content.decode()
    assert "Recently rejected records" in listing and ">Administrative penalties</th>" in listing
    assert "最近被拒绝的记录" not in listing and ">行政处罚</th>" not in listing
    assert "决定日期晚于公示日期" in listing and "<td>Succeeded</td>" in listing and "<td>Masked</td>" in listing


def test_ack_upload_page_and_export_pages(decisions: City) -> None:
    export = national.run_export(operator="test")
    url = reverse("exchange:exports")
    assert Client().get(url).status_code == 302
    submitter = Client()
    submitter.force_login(decisions.users["submitter"])
    assert submitter.get(url).status_code == 403
    assert submitter.post(reverse("exchange:ack_upload")).status_code == 403
    credit = Client()
    credit.force_login(decisions.users["credit"])
    upload = io.BytesIO(_ack_csv(export, 1, "决定日期晚于公示日期"))
    upload.name = "ack.csv"
    response = credit.post(reverse("exchange:ack_upload"), {"file": upload})
    assert response.status_code == 302 and response["Location"].endswith(f"/exchange/national/{export.pk}/")
    detail = credit.get(response["Location"]).content.decode()
    assert "决定日期晚于公示日期" in detail and export.files.get(kind="manifest").sha256 in detail
    listing = credit.get(url).content.decode()
    assert export.batch_code in listing and "决定日期晚于公示日期" in listing
    f = export.files.get(kind="xzcf")
    download = credit.get(reverse("exchange:export_file", args=[export.pk, f.name]))
    assert hashlib.sha256(streamed(download)).hexdigest() == f.sha256
    assert submitter.get(reverse("exchange:export_file", args=[export.pk, f.name])).status_code == 403


@pytest.mark.urls("govcredit.exchange.tests.urls")
def test_ack_upload_api_and_export_list(decisions: City) -> None:
    from govcredit.accounts.services import issue_token

    export = national.run_export(operator="test")
    _, key = issue_token(decisions.users["credit"], "交换")
    auth = {"Authorization": f"Bearer {key}"}
    upload = io.BytesIO(_ack_csv(export, 3, "缺少法定代表人"))
    upload.name = "ack.csv"
    response = Client().post("/api/exchange/acks", {"file": upload}, headers=auth)
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == 1 and response.json()["accepted"] == 2
    listing = Client().get("/api/exchange/exports", headers=auth).json()
    assert listing["items"][0]["batch"] == export.batch_code and listing["items"][0]["rejected"] == 1
    assert {f["kind"] for f in listing["items"][0]["files"]} == {"xzcf", "xzxk", "withdrawals", "manifest"}
    _, other = issue_token(decisions.users["submitter"], "交换")
    assert Client().get("/api/exchange/exports", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    bad = io.BytesIO("随便,什么\n1,2\n".encode())
    bad.name = "bad.csv"
    assert Client().post("/api/exchange/acks", {"file": bad}, headers=auth).status_code == 422
