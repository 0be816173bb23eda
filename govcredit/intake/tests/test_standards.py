"""Issue 9: files in the national 双公示 data standard as case systems write them — the current edition in
full and the earlier one, title rows above the header, header spellings that vary — imported row for row;
the legal representative's ID kept apart from the counterparty's; severity derived from the decision so
that every decision the publication rules do not exempt reaches the portal; an export re-imported unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.test import Client

from govcredit.archive.api import _display_fields
from govcredit.archive.models import CreditRecord
from govcredit.archive.services import record_decision
from govcredit.catalog.models import RecordType
from govcredit.core import clock, crypto
from govcredit.disclosure.masking import public_fields
from govcredit.disclosure.models import Publication
from govcredit.disclosure.services import sync
from govcredit.exchange import national
from govcredit.intake.columns import plan_columns
from govcredit.intake.models import BatchStatus
from govcredit.intake.sources import FileRejected
from govcredit.subjects.identifiers import make_credit_code, make_id_number, mask_id_number
from govcredit.testing import City

from .conftest import AUTHORITY_CODE, run_file, write

# The current edition's columns (《行政处罚信息数据标准》《行政许可信息数据标准》 as in the 信用中国 templates).
CODES = ["行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)", "行政相对人代码_3(组织机构代码)",
         "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)", "行政相对人代码_6(社会组织登记证号)"]
PERSONS = ["法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码"]
XZCF = ["行政相对人名称", "行政相对人类别", *CODES, *PERSONS, "行政处罚决定书文号", "违法行为类型", "违法事实",
        "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）",
        "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码",
        "数据来源单位", "数据来源单位统一社会信用代码", "备注"]
XZXK = ["行政相对人名称", "行政相对人类别", *CODES, *PERSONS, "行政许可决定文书名称", "行政许可决定文书号", "许可类别",
        "许可证书名称", "许可编号", "许可内容", "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码",
        "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "备注"]
# The earlier edition's columns.
OLD_XZCF = ["行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚类别2", "处罚事由", "处罚依据", "行政相对人名称",
            "行政相对人代码_1 (统一社会信用代码)", "行政相对人代码_2 (组织机构代码)", "行政相对人代码_3 (工商登记码)",
            "行政相对人代码_4 (税务登记号)", "行政相对人代码_5 (居民身份证号)", "法定代表人姓名", "处罚结果", "处罚决定日期",
            "处罚机关", "当前状态", "地方编码", "数据更新时间戳", "备注"]
OLD_XZXK = ["行政许可决定书文号", "项目名称", "审批类别", "许可内容", "行政相对人名称", "行政相对人代码_1(统一社会信用代码)",
            "行政相对人代码_2(组织机构代码)", "行政相对人代码_3(工商登记码)", "行政相对人代码_4(税务登记号)",
            "行政相对人代码_5(居民身份证号)", "法定代表人姓名", "许可决定日期", "许可截止期", "许可机关", "当前状态", "地方编码",
            "数据更新时间戳", "备注"]
TITLES = [["南京市市场监督管理局“双公示”信息报送表"], ["填报单位：南京市市场监督管理局", "", "", "报送日期：2026年"]]

COMPANY = make_credit_code("91", "320100", "MA1000001")
COMPANY2 = make_credit_code("91", "320100", "MA1000002")
SHOP = make_credit_code("92", "320100", "MA1000003")  # 个体工商户
PERSON = make_id_number("320106", dt.date(1985, 5, 6), 11)
REPRESENTATIVE = make_id_number("320102", dt.date(1970, 1, 2), 22)
OPERATOR = make_id_number("320104", dt.date(1975, 3, 4), 33)


def spelled(header: list[str]) -> list[str]:
    """The header as another case system spells it: full-width brackets, a space before them, - for _."""
    out = []
    for i, name in enumerate(header):
        if i % 3 == 0:
            name = name.replace("(", "（").replace(")", "）")
        elif i % 3 == 1:
            name = name.replace("_", "-").replace("（", " (").replace("(", " (")
        out.append(name)
    return out


def xlsx_bytes(header: list[str], rows: list[dict[str, Any]], *, titles: list[list[str]] = TITLES,
               names: list[str] | None = None) -> bytes:
    """A workbook as case systems export it: title rows, then the header (``names``: as spelled), then rows."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet("Sheet1")
    for r, title in enumerate(titles):
        sheet.write_row(r, 0, title)
    sheet.write_row(len(titles), 0, names or header)
    for r, row in enumerate(rows, start=len(titles) + 1):
        sheet.write_row(r, 0, [row.get(h, "") for h in header])
    book.close()
    return buf.getvalue()


def days_ago(n: int) -> str:
    return (clock.today() - dt.timedelta(days=n)).isoformat()


def penalty(number: str, **values: Any) -> dict[str, Any]:
    row = {"行政相对人名称": "南京某某贸易有限公司", "行政相对人类别": "法人及非法人组织",
           "行政相对人代码_1(统一社会信用代码)": COMPANY, "法定代表人": "李四",
           "行政处罚决定书文号": number, "违法行为类型": "价格违法", "违法事实": "当事人未明码标价。",
           "处罚依据": "《价格违法行为行政处罚规定》第十三条", "处罚类别": "罚款", "处罚内容": "罚款人民币五万元",
           "罚款金额（万元）": "5", "处罚决定日期": days_ago(20), "处罚机关": "南京市市场监督管理局",
           "处罚机关统一社会信用代码": AUTHORITY_CODE, "数据来源单位": "南京市市场监督管理局",
           "数据来源单位统一社会信用代码": AUTHORITY_CODE}
    row.update(values)
    return row


# Each row with what the intake must make of it: (row, severity, rule that set it, published?).
CURRENT_PENALTIES = [
    (penalty("宁市监罚〔2026〕1号", 法定代表人证件类型="身份证", 法定代表人证件号码=REPRESENTATIVE),
     "一般", "其他处罚", True),
    (penalty("宁市监罚〔2026〕2号", 处罚类别="警告", 处罚内容="警告", **{"罚款金额（万元）": ""}),
     "轻微", "依公示规则不予公示：仅受警告处罚，不予公示", False),
    (penalty("宁市监罚〔2026〕3号", 行政相对人名称="张小明", 行政相对人类别="自然人", 法定代表人="",
             证件类型="身份证", 证件号码=PERSON, 处罚内容="罚款五百元",
             **{"行政相对人代码_1(统一社会信用代码)": "", "罚款金额（万元）": "0.05"}),
     "轻微", "依公示规则不予公示：仅受较低数额罚款（不超过0.1万元），不予公示", False),
    (penalty("宁市监罚〔2026〕4号", 处罚类别="罚款;吊销许可证件", 暂扣或吊销证照名称及编号="食品经营许可证 JY1320100000001",
             **{"行政相对人代码_1(统一社会信用代码)": COMPANY2}),
     "严重", "严重处罚种类", True),
    (penalty("宁市监罚〔2026〕5号", 行政相对人名称="南京市玄武区王五小吃店", 行政相对人类别="个体工商户", 法定代表人="王五",
             法定代表人证件类型="身份证", 法定代表人证件号码=OPERATOR, 处罚内容="罚款五千元",
             **{"行政相对人代码_1(统一社会信用代码)": SHOP, "罚款金额（万元）": "0.5"}),
     "一般", "其他处罚", True),
    (penalty("宁市监罚〔2026〕6号", 行政相对人名称="南京某某科技有限公司", 处罚内容="罚款五千元",
             **{"行政相对人代码_1(统一社会信用代码)": "", "行政相对人代码_2(工商注册号)": "320100000123456",
                "行政相对人代码_3(组织机构代码)": "12345678-9", "行政相对人代码_4(税务登记号)": "320100123456789",
                "罚款金额（万元）": "0.5"}),
     "轻微", "依公示规则不予公示：仅受较低数额罚款（不超过1万元），不予公示", False),
    (penalty("宁市监罚〔2026〕7号", 处罚类别="通报批评、罚款", 处罚内容="罚款三万元，列入严重违法失信名单",
             **{"罚款金额（万元）": "3", "行政相对人代码_1(统一社会信用代码)": COMPANY2}),
     "严重", "列入严重失信名单", True),
]


def test_current_penalty_file_in_full_imported_row_for_row_and_published(city: City, tmp_path: Path) -> None:
    rows = [r[0] for r in CURRENT_PENALTIES]
    path = write(tmp_path, "xzcf.xlsx", xlsx_bytes(XZCF, rows, names=spelled(XZCF)))
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE and batch.accepted == len(rows) and batch.rejected == 0, batch.message
    assert batch.header_row == len(TITLES) + 1
    for row, severity, rule, _ in CURRENT_PENALTIES:
        record = CreditRecord.objects.get(decision_number=row["行政处罚决定书文号"])
        assert (record.severity, record.data["severity_basis"]) == (severity, rule), row["行政处罚决定书文号"]
        assert record.counterparty_kind == row["行政相对人类别"]
    # The legal representative's ID is his own field, not the counterparty's; the natural person's is the counterparty's.
    first = CreditRecord.objects.get(decision_number="宁市监罚〔2026〕1号")
    assert first.counterparty_id_index == "" and first.legal_rep_id_index == crypto.blind_index(REPRESENTATIVE)
    assert crypto.decrypt(first.legal_rep_id_cipher) == REPRESENTATIVE and REPRESENTATIVE not in first.legal_rep_id_cipher
    assert first.legal_rep_id_masked == mask_id_number(REPRESENTATIVE) and first.data["legal_rep_id_type"] == "身份证"
    person = CreditRecord.objects.get(decision_number="宁市监罚〔2026〕3号")
    assert person.counterparty_id_index == crypto.blind_index(PERSON) and person.legal_rep_id_index == ""
    shop = CreditRecord.objects.get(decision_number="宁市监罚〔2026〕5号")
    assert shop.legal_rep_id_index == crypto.blind_index(OPERATOR) and shop.counterparty_id_index == ""
    other_codes = CreditRecord.objects.get(decision_number="宁市监罚〔2026〕6号")
    assert other_codes.counterparty_code == "" and {k: other_codes.data[k] for k in
                                                     ("registration_number", "organization_code", "tax_number")} == {
        "registration_number": "320100000123456", "organization_code": "12345678-9", "tax_number": "320100123456789"}
    # Every decision the publication rules do not exempt is on the portal after the next publishing run.
    sync()
    on_portal = set(Publication.objects.values_list("record__decision_number", flat=True))
    for row, _, _, published in CURRENT_PENALTIES:
        assert (row["行政处罚决定书文号"] in on_portal) == published, row["行政处罚决定书文号"]
    # Inside the platform the legal representative's ID shows masked, apart from the counterparty's.
    shown_inside = _display_fields(first)
    assert shown_inside["法定代表人证件号码"] == mask_id_number(REPRESENTATIVE) and shown_inside["证件号码"] == ""
    # The legal representative's ID never shows publicly.
    values = {"legal_rep_id": first.legal_rep_id_masked, **first.data}
    shown = {f.label for f in public_fields(first.type_version.fields, values, public_name="", person_names=[])}
    assert not shown & {"法定代表人证件类型", "法定代表人证件号码", "证件号码"}


def licences() -> list[dict[str, Any]]:
    base = {"行政相对人名称": "南京某某餐饮有限公司", "行政相对人类别": "法人及非法人组织",
            "行政相对人代码_1(统一社会信用代码)": COMPANY, "法定代表人": "赵六", "法定代表人证件类型": "身份证",
            "法定代表人证件号码": REPRESENTATIVE, "行政许可决定文书名称": "食品经营许可决定书", "许可类别": "普通",
            "许可证书名称": "食品经营许可证", "许可编号": "JY13201000000001", "许可内容": "预包装食品销售",
            "许可决定日期": days_ago(30), "有效期自": days_ago(30), "有效期至": "2031-12-31", "许可机关": "南京市市场监督管理局",
            "许可机关统一社会信用代码": AUTHORITY_CODE, "当前状态": "有效"}
    return [{**base, "行政许可决定文书号": "宁市监许〔2026〕1号"},
            {**base, "行政许可决定文书号": "宁市监许〔2026〕2号", "行政相对人名称": "李小红", "行政相对人类别": "自然人",
             "行政相对人代码_1(统一社会信用代码)": "", "法定代表人": "", "法定代表人证件类型": "", "法定代表人证件号码": "",
             "证件类型": "身份证", "证件号码": PERSON}]


def test_current_licence_file_in_full(city: City, tmp_path: Path) -> None:
    rows = licences()
    batch = run_file(city, write(tmp_path, "xzxk.xlsx", xlsx_bytes(XZXK, rows, names=spelled(XZXK))), type_name="行政许可")
    assert batch.status == BatchStatus.DONE and batch.accepted == 2, batch.message
    company = CreditRecord.objects.get(decision_number="宁市监许〔2026〕1号")
    assert company.legal_rep_id_index == crypto.blind_index(REPRESENTATIVE) and company.counterparty_id_index == ""
    assert (company.data["certificate_name"], company.data["license_number"]) == ("食品经营许可证", "JY13201000000001")
    assert (company.data["valid_from"], company.data["valid_to"], company.data["current_status"]) == (
        days_ago(30), "2031-12-31", "有效")
    person = CreditRecord.objects.get(decision_number="宁市监许〔2026〕2号")
    assert person.counterparty_id_index == crypto.blind_index(PERSON) and person.legal_rep_id_index == ""
    sync()
    assert Publication.objects.filter(record__record_type__code="xzxk").count() == 2


def old_penalty(number: str, **values: Any) -> dict[str, Any]:
    row = {"行政处罚决定书文号": number, "处罚名称": "未明码标价", "处罚类别1": "罚款", "处罚类别2": "",
           "处罚事由": "当事人销售商品未明码标价。", "处罚依据": "《价格法》第四十二条", "行政相对人名称": "南京某某商贸有限公司",
           "法定代表人姓名": "孙七", "处罚结果": "罚款人民币两万元", "处罚决定日期": days_ago(15),
           "处罚机关": "南京市市场监督管理局", "当前状态": "0", "地方编码": "320100", "数据更新时间戳": "2026-01-05 10:20:30"}
    row.update(values)
    return row


def test_earlier_penalty_edition_read_through_the_mapping(city: City, tmp_path: Path) -> None:
    code1, code2, code3, code4, code5 = (h for h in OLD_XZCF if h.startswith("行政相对人代码"))
    rows = [
        old_penalty("宁市监罚〔2019〕1号", 处罚类别2="警告", **{code1: COMPANY}),
        old_penalty("宁市监罚〔2019〕2号", **{code2: "12345678-9", code3: "320100000654321", code4: "320100987654321"}),
        old_penalty("宁市监罚〔2019〕3号", 行政相对人名称="王五小吃店", 处罚结果="罚款五百元", **{code1: SHOP}),
        old_penalty("宁市监罚〔2019〕4号", 行政相对人名称="周八", 法定代表人姓名="", 处罚类别1="吊销执照", **{code5: PERSON}),
        old_penalty("宁市监罚〔2019〕5号"),  # no code at all: the counterparty's kind cannot be derived
        old_penalty("宁市监罚〔2019〕6号", 处罚机关="某某不存在的局", **{code1: COMPANY2}),
    ]
    names = ["行政处罚决定书文号", "处罚名称", "处罚类别1", "处罚类别2", "处罚事由", "处罚依据", "行政相对人名称",
             "行政相对人代码-1（统一社会信用代码）", "行政相对人代码_2(组织机构代码)", "行政相对人代码_3 （工商登记码）",
             "行政相对人代码_4(税务登记号)", "行政相对人代码_5 (居民身份证号)", *OLD_XZCF[12:]]
    batch = run_file(city, write(tmp_path, "old.xlsx", xlsx_bytes(OLD_XZCF, rows, names=names)))
    assert batch.status == BatchStatus.DONE and batch.accepted == 4 and batch.rejected == 2, batch.message
    first = CreditRecord.objects.get(decision_number="宁市监罚〔2019〕1号")
    assert first.counterparty_kind == "法人及非法人组织" and first.counterparty_code == COMPANY
    assert first.data["penalty_kinds"] == ["罚款", "警告"] and first.facts == "当事人销售商品未明码标价。"
    assert first.result == "罚款人民币两万元" and first.legal_representative == "孙七"
    assert first.data["case_name"] == first.data["violation_type"] == "未明码标价"
    assert first.data["authority_code"] == AUTHORITY_CODE
    assert (first.data["source_status"], first.data["source_region"], first.data["source_updated"]) == (
        "0", "320100", "2026-01-05 10:20:30")
    assert "行政相对人类别：" in first.data["derivations"] and "处罚机关统一社会信用代码：" in first.data["derivations"]
    assert first.severity == "一般" and first.data["severity_basis"] == "其他处罚"
    second = CreditRecord.objects.get(decision_number="宁市监罚〔2019〕2号")
    assert second.counterparty_kind == "法人及非法人组织" and second.counterparty_code == ""
    assert (second.data["organization_code"], second.data["registration_number"], second.data["tax_number"]) == (
        "12345678-9", "320100000654321", "320100987654321")
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2019〕3号").counterparty_kind == "个体工商户"
    person = CreditRecord.objects.get(decision_number="宁市监罚〔2019〕4号")
    assert person.counterparty_kind == "自然人" and person.counterparty_id_index == crypto.blind_index(PERSON)
    assert person.data["id_type"] == "身份证" and person.data["penalty_kinds"] == ["吊销许可证件"]
    assert person.severity == "严重" and person.legal_rep_id_index == ""
    reasons = {row: reason for chunk in batch.chunks.all() for row, _, reason in chunk.rejected_rows}
    header_row = len(TITLES) + 1
    assert "行政相对人类别：" in reasons[header_row + 5] and "无法推定（规则：统一社会信用代码以 92 开头" in reasons[header_row + 5]
    assert "处罚机关统一社会信用代码：" in reasons[header_row + 6] and "按处罚机关名称在组织机构中查得" in reasons[header_row + 6]
    sync()
    on_portal = set(Publication.objects.values_list("record__decision_number", flat=True))
    assert {"宁市监罚〔2019〕1号", "宁市监罚〔2019〕2号", "宁市监罚〔2019〕3号", "宁市监罚〔2019〕4号"} <= on_portal


def test_earlier_licence_edition_read_through_the_mapping(city: City, tmp_path: Path) -> None:
    base = {"项目名称": "食品经营许可", "审批类别": "普通", "许可内容": "预包装食品销售", "行政相对人名称": "南京某某超市有限公司",
            "行政相对人代码_1(统一社会信用代码)": COMPANY, "法定代表人姓名": "吴九", "许可决定日期": days_ago(40),
            "许可截止期": "2030-06-30", "许可机关": "南京市市场监督管理局", "地方编码": "320100",
            "数据更新时间戳": "20260105102030"}
    rows = [{**base, "行政许可决定书文号": "宁市监许〔2019〕1号", "当前状态": "0"},
            {**base, "行政许可决定书文号": "宁市监许〔2019〕2号", "当前状态": "1"},
            {**base, "行政许可决定书文号": "宁市监许〔2019〕3号", "当前状态": "", "行政相对人名称": "郑十",
             "行政相对人代码_1(统一社会信用代码)": "", "法定代表人姓名": "", "行政相对人代码_5(居民身份证号)": PERSON},
            {**base, "行政许可决定书文号": "宁市监许〔2019〕4号", "当前状态": "2"}]  # 异议: no rule gives a status
    batch = run_file(city, write(tmp_path, "old-xk.csv", _csv(OLD_XZXK, rows)), type_name="行政许可")
    assert batch.status == BatchStatus.DONE and batch.accepted == 3 and batch.rejected == 1, batch.message
    first = CreditRecord.objects.get(decision_number="宁市监许〔2019〕1号")
    assert (first.data["document_name"], first.data["case_name"], first.data["license_kind"]) == (
        "食品经营许可", "食品经营许可", "普通")
    assert (first.data["valid_from"], first.data["valid_to"], first.data["current_status"]) == (
        days_ago(40), "2030-06-30", "有效")
    assert first.data["authority_code"] == AUTHORITY_CODE and first.data["source_status"] == "0"
    assert CreditRecord.objects.get(decision_number="宁市监许〔2019〕2号").data["current_status"] == "无效"
    person = CreditRecord.objects.get(decision_number="宁市监许〔2019〕3号")
    assert person.counterparty_kind == "自然人" and person.counterparty_id_index == crypto.blind_index(PERSON)
    (reason,) = [r for chunk in batch.chunks.all() for _, _, r in chunk.rejected_rows]
    assert reason.startswith("当前状态：") and "当前状态 0 或空白（正常）为有效" in reason


def _csv(header: list[str], rows: list[dict[str, Any]], title: str = "行政许可信息（早期标准）") -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([title])
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buf.getvalue().encode("utf-8-sig")


def test_header_names_fold_and_an_unknown_one_names_the_closest(city: City) -> None:
    fields = RecordType.objects.get(code="xzcf").current().fields
    for name in ("行政相对人代码_1(统一社会信用代码)", "行政相对人代码-1（统一社会信用代码）", "行政相对人代码_1 (统一社会信用代码)",
                 " 行政相对人代码－1 【统一社会信用代码】", "罚款金额(万元)", "没收违法所得，没收非法财物的金额（万元）"):
        plan = plan_columns([name, *[h for h in XZCF if not h.startswith(("行政相对人代码_1", "罚款", "没收"))]], fields)
        assert 0 in plan.index.values(), name
    with pytest.raises(FileRejected) as e:
        plan_columns([*XZCF, "行政相对人代码_7(统一社会信用代码)", "处罚机关名称"], fields, type_name="行政处罚")
    assert "“行政相对人代码_7(统一社会信用代码)”（最接近的已知列：“行政相对人代码_1(统一社会信用代码)”）" in str(e.value)
    assert "“处罚机关名称”（最接近的已知列：“处罚机关”）" in str(e.value)


def test_export_goes_out_in_the_standard_columns_and_reimports_unchanged(city: City, tmp_path: Path) -> None:
    rows = [r[0] for r in CURRENT_PENALTIES]
    batch = run_file(city, write(tmp_path, "xzcf.xlsx", xlsx_bytes(XZCF, rows)))
    assert batch.accepted == len(rows), batch.message
    export = national.run_export(operator="credit", user=city.users["credit"], full_id_numbers=True)
    f = export.files.get(kind="xzcf")
    exported = national.file_path(export, f)
    text = exported.read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == XZCF
    # The file as exported, less the test city's own decision by another district (not this submitter's to send).
    mine = "".join(line for line in text.splitlines(keepends=True) if "秦淮区" not in line)
    lines = list(csv.reader(io.StringIO(mine)))
    assert len(lines) - 1 == sum(published for *_, published in CURRENT_PENALTIES)
    before = {r.pk: r.updated_at for r in CreditRecord.objects.all()}
    again = run_file(city, write(tmp_path, "again.csv", mine))
    assert again.status == BatchStatus.DONE, again.message
    assert (again.unchanged, again.accepted, again.updated, again.rejected) == (len(lines) - 1, 0, 0, 0)
    assert {r.pk: r.updated_at for r in CreditRecord.objects.all()} == before
    # The same for licensing decisions.
    batch = run_file(city, write(tmp_path, "xzxk.xlsx", xlsx_bytes(XZXK, licences())), type_name="行政许可")
    assert batch.accepted == 2, batch.message
    export = national.run_export(operator="credit", user=city.users["credit"], full_id_numbers=True)
    f = export.files.get(kind="xzxk")
    text = national.file_path(export, f).read_text(encoding="utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == XZXK
    before = {r.pk: r.updated_at for r in CreditRecord.objects.all()}
    again = run_file(city, write(tmp_path, "again-xk.csv", text), type_name="行政许可")
    assert (again.status, again.unchanged, again.accepted, again.updated, again.rejected) == (BatchStatus.DONE, 2, 0, 0, 0)
    assert {r.pk: r.updated_at for r in CreditRecord.objects.all()} == before


def test_api_rows_without_severity_derive_it_and_a_given_one_wins(city: City) -> None:
    client = Client()
    client.force_login(city.users["submitter"], backend="django.contrib.auth.backends.ModelBackend")
    csrf = client.get("/intake/upload/").cookies["csrftoken"].value
    rows = [{k: v for k, v in row.items() if v} for row, *_ in CURRENT_PENALTIES]
    rows.append({**rows[1], "行政处罚决定书文号": "宁市监罚〔2026〕8号", "严重程度": "一般"})
    resp = client.post("/api/intake/batches", data=json.dumps({"record_type": "行政处罚", "rows": rows}),
                       content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert resp.status_code == 200 and resp.json()["accepted"] == len(rows), resp.content
    for row, severity, rule, _ in CURRENT_PENALTIES:
        record = CreditRecord.objects.get(decision_number=row["行政处罚决定书文号"])
        assert (record.severity, record.data["severity_basis"]) == (severity, rule)
    given = CreditRecord.objects.get(decision_number="宁市监罚〔2026〕8号")
    assert (given.severity, given.data["severity_basis"]) == ("一般", "报送单位填写")
    # One record at a time (the archive service, as the archive API and the entry form use it) derives alike.
    version = RecordType.objects.get(code="xzcf").current()
    one = record_decision(version, {**rows[3], "行政处罚决定书文号": "宁市监罚〔2026〕9号"}, issuing_org=city.orgs["scjg"],
                          actor="test")
    assert (one.severity, one.data["severity_basis"]) == ("严重", "严重处罚种类")
    sync()
    on_portal = set(Publication.objects.values_list("record__decision_number", flat=True))
    assert "宁市监罚〔2026〕9号" in on_portal and "宁市监罚〔2026〕8号" not in on_portal  # 一般 but only 警告: exempt


def test_a_returned_report_fixed_and_uploaded_as_it_is(city: City, tmp_path: Path) -> None:
    rows = [r[0] for r in CURRENT_PENALTIES[:3]]
    rows[1] = {**rows[1], "处罚类别": "罚站"}
    batch = run_file(city, write(tmp_path, "xzcf.xlsx", xlsx_bytes(XZCF, rows)))
    assert (batch.accepted, batch.rejected) == (2, 1), batch.message
    book = openpyxl.load_workbook(batch.error_report)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:len(XZCF)] == XZCF  # the current edition's columns, as the file had them
    sheet.cell(row=2, column=header.index("处罚类别") + 1, value="警告")
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    again = run_file(city, fixed)
    assert (again.status, again.accepted, again.rejected) == (BatchStatus.DONE, 1, 0), again.message
    record = CreditRecord.objects.get(decision_number=rows[1]["行政处罚决定书文号"])
    assert record.data["penalty_kinds"] == ["警告"] and record.severity == "轻微"
