"""Point 3: rows checked against the catalog version; each rejected row's message names the column and the rule.

Also: the vectorised checks accept exactly what the catalog's Python validators accept.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from govcredit.archive.models import CreditRecord
from govcredit.catalog import schema
from govcredit.catalog.models import RecordType
from govcredit.intake.models import BatchStatus, IntakeChunk
from govcredit.intake.validate import china_today, credit_code_ok, date_expr, id_number_ok
from govcredit.subjects.identifiers import CREDIT_CODE_CHARSET, is_valid_credit_code, is_valid_id_number

from .conftest import company_code, csv_bytes, penalty, run_file, write


def _reasons(batch: Any) -> dict[int, str]:
    out = {}
    for chunk in IntakeChunk.objects.filter(batch=batch):
        for row_no, _values, reason in chunk.rejected_rows:
            out[row_no] = reason
    return out


def test_each_rejected_row_names_column_and_rule(city: Any, tmp_path: Path) -> None:
    future = (china_today() + dt.timedelta(days=3)).isoformat()
    bad = {
        2: {"行政处罚决定书文号": ""},
        3: {"行政相对人类别": "法人"},
        4: {"处罚类别": "罚款、拘役"},
        5: {"行政相对人代码_1(统一社会信用代码)": company_code(4)[:-1] + ("0" if company_code(4)[-1] != "0" else "1")},
        6: {"行政相对人类别": "自然人", "行政相对人代码_1(统一社会信用代码)": "", "法定代表人证件号码": "320106199001011230"},
        7: {"处罚决定日期": "2025-02-30"},
        8: {"处罚决定日期": future},
        9: {"处罚决定日期": "2025-03-05", "公示截止期": "2025-03-01"},
        10: {"罚款金额(万元)": "-1"},
        11: {"罚款金额(万元)": "五千元"},
        12: {"行政相对人类别": "自然人", "法定代表人证件号码": "320106199001017891"},
        13: {"违法事实": "  "},
        14: {"罚款金额(万元)": "1e10"},
    }
    rows = [penalty(i, **bad.get(i + 1, {})) for i in range(1, 20)]
    rows.append(penalty(100, **{"处罚决定日期": "45658", "公示截止期": "2026年1月1日", "罚款金额(万元)": "1,000.5"}))
    rows.append(penalty(101, **{"处罚决定日期": "2025/1/2", "行政相对人名称": "ＡＢＣ商贸有限公司 ", "处罚类别": "警告；罚款"}))
    batch = run_file(city, write(tmp_path, "rules.csv", csv_bytes(rows)))
    assert batch.status == BatchStatus.DONE, batch.message
    reasons = _reasons(batch)
    assert set(reasons) == set(bad), reasons  # file rows: the header is row 1
    assert reasons[2] == "行政处罚决定书文号：必填项为空"
    assert reasons[3] == "行政相对人类别：“法人”不在可选值内（法人及非法人组织、自然人、个体工商户）"
    assert reasons[4].startswith("处罚类别：“拘役”不在可选值内（警告、通报批评、罚款")
    assert reasons[5].startswith("行政相对人代码_1(统一社会信用代码)：校验码错误：第18位应为")
    assert reasons[6].startswith("法定代表人证件号码：校验码错误：第18位应为")
    assert reasons[7] == "处罚决定日期：“2025-02-30”不是有效日期"
    assert reasons[8] == f"处罚决定日期：决定日期 {future} 晚于今天"
    assert reasons[9] == "公示截止期：公示截止期 2025-03-01 早于决定日期 2025-03-05"
    assert reasons[10] == "罚款金额(万元)：“-1”应为非负数"
    assert reasons[11] == "罚款金额(万元)：“五千元”不是有效数字"
    assert reasons[12] == "行政相对人代码_1(统一社会信用代码)：自然人不应填写统一社会信用代码"
    assert reasons[13] == "违法事实：必填项为空"
    assert reasons[14].startswith("罚款金额(万元)：“1e10”超出金额范围")
    assert batch.rejected == len(bad) and batch.accepted == len(rows) - len(bad)
    r = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕100号")
    assert r.decision_date == dt.date(2025, 1, 1) and r.publicity_end == dt.date(2026, 1, 1)
    assert r.amount is not None and str(r.amount.normalize()) == "1000.5"
    r = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕101号")
    assert r.decision_date == dt.date(2025, 1, 2) and r.counterparty_name == "ＡＢＣ商贸有限公司"  # free text is only trimmed
    assert r.data["penalty_kinds"] == ["警告", "罚款"]


def test_records_match_what_the_archive_service_builds(city: Any, tmp_path: Path) -> None:
    """Every column of an imported record equals the record archive.services.build_record makes of the row."""
    from govcredit.archive.services import build_record
    from govcredit.catalog.models import RecordType

    rows = [penalty(i) for i in range(1, 11)]
    rows[3]["严重程度"] = "严重"
    header = [*rows[0].keys(), "严重程度"]
    batch = run_file(city, write(tmp_path, "same.csv", csv_bytes(rows, header)))
    assert batch.accepted == 10, batch.message
    version = RecordType.objects.get(name="行政处罚").current()
    skip = {"id", "created_at", "updated_at", "batch_id", "counterparty_id_cipher", "legal_rep_id_cipher"}
    for row in rows:
        raw = {k: v for k, v in row.items() if v}
        expected = build_record(version, raw, issuing_org=city.orgs["scjg"])
        got = CreditRecord.objects.get(decision_number=row["行政处罚决定书文号"])
        for f in CreditRecord._meta.concrete_fields:
            if f.attname not in skip:
                assert getattr(got, f.attname) == getattr(expected, f.attname), f.attname


def test_submitter_scope(city: Any, tmp_path: Path) -> None:
    from govcredit.subjects.identifiers import make_credit_code

    other = city.orgs["qinhuai"]
    rows = [penalty(1), penalty(2, **{"数据来源单位统一社会信用代码": other.credit_code})]
    batch = run_file(city, write(tmp_path, "scope.csv", csv_bytes(rows)), org="scjg")
    reasons = _reasons(batch)
    assert set(reasons) == {3}
    assert reasons[3] == (f"数据来源单位统一社会信用代码：{other.credit_code}（南京市秦淮区人民政府）不在“南京市市场监督管理局”"
                          "及其下级单位范围内，不能以其名义报送")
    # The city government may submit for anyone below it: the row is then issued by 秦淮区.
    batch = run_file(city, write(tmp_path, "scope2.csv", csv_bytes(rows[1:])), org="city")
    assert batch.accepted == 1
    assert CreditRecord.objects.get(decision_number="宁市监罚〔2025〕2号").issuing_org == other
    # A record issued by 秦淮区 cannot be corrected by 市场监管局.
    changed = [penalty(2, **{"处罚内容": "罚款人民币一万元", "数据来源单位统一社会信用代码": ""})]
    batch = run_file(city, write(tmp_path, "scope3.csv", csv_bytes(changed)), org="scjg")
    assert _reasons(batch) == {2: "决定文书号“宁市监罚〔2025〕2号”的这条记录由“南京市秦淮区人民政府”报送，不在本单位范围内，不能更正"}
    assert make_credit_code("11", "320100", "000000003") == city.orgs["scjg"].credit_code


# --------------------------------------------------------------------------- vectorised = catalog

def _mutations(code: str, rng: random.Random, alphabet: str) -> list[str]:
    out = [code, code.lower(), " " + code + " ", code[:-1], code + "1", "１" + code[1:]]
    for _ in range(40):
        chars = list(code)
        chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        out.append("".join(chars))
    return out


def test_vectorised_identifier_checks_agree_with_catalog() -> None:
    from govcredit.subjects.identifiers import make_credit_code, make_id_number

    rng = random.Random(7)
    today = china_today()
    codes: list[str] = []
    ids: list[str] = []
    for i in range(150):
        codes += _mutations(make_credit_code(rng.choice(["91", "11", "12", "52", "Y1", "N2"]),
                                             rng.choice(["320100", "110000", "100000", "650100"]),
                                             "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))), rng,
                            CREDIT_CODE_CHARSET + "IOZSV0")
        ids += _mutations(make_id_number(rng.choice(["320106", "110101", "650102"]),
                                         dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(45000)), i), rng,
                          "0123456789X")
    ids += ["000000199001011234", "320106190001010000", "32010618991231001X", "3201062999010100" + "11"]
    norm = pl.col("v").str.replace_all(r"\s+", "").str.to_uppercase()
    frame = pl.DataFrame({"v": codes})
    got = frame.select(credit_code_ok(norm.str.normalize("NFKC"))).to_series().to_list()
    for code, ok in zip(codes, got, strict=True):
        if ok:  # the expression may leave a value to the Python validator, never accept a bad one
            assert is_valid_credit_code(code), code
        elif code.strip().upper() == code.strip().upper().replace(" ", "") and code.isascii():
            assert not is_valid_credit_code(code), code
    frame = pl.DataFrame({"v": ids})
    got = frame.select(id_number_ok(norm, today)).to_series().to_list()
    for number, ok in zip(ids, got, strict=True):
        if number.isascii():
            assert ok == is_valid_id_number(number, today), number


@pytest.mark.parametrize("text", [
    "2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "2024 年 3 月 5 日", "20240305", "2024-03-05 10:20:30",
    "2024-03-05T10:20", "45352", "45352.75", "00000", "2024-13-01", "2024-02-29", "2023-02-29", "0000-01-01",
    "24-03-05", "2024-3-5日", "2024年3月5", "March 5", "1899-12-31", "99999",
])
def test_vectorised_dates_agree_with_catalog(text: str) -> None:
    got = pl.DataFrame({"v": [text]}).select(date_expr(pl.col("v"))).item()
    try:
        expected = schema.parse_date(text)
    except schema.FieldError:
        expected = None
    if got is not None:
        assert got == expected
    # where the expression gives up, the catalog's parser decides (see RowValidator._fallback)


AMOUNTS = ["9999999999.9999999", "999999999.999999", "999999999.9999995", "999999998.99999999", "0.0000005",
           "1.1234564", "+7", "007.5", "1e3", "1e999999999", "1234567890", "9999999999.999999"]
HOURS = ["999999999999999", "1000000000000000", "99999999999999999999999", "12.0"]
DATES = ["2999-12-31", "3000-01-01", "9999-12-31", "1899-12-31", "1900-01-01"]


def test_import_checks_values_as_stored_like_the_catalog(city: Any, tmp_path: Path) -> None:
    """Issue 8 item 2: the vectorised path and the catalog agree on every edge of the stored ranges; an
    amount that rounds to 10^10 is refused (it was saved as 10000000000 and broke every reader)."""
    rows = [penalty(i, **{"罚款金额(万元)": a}) for i, a in enumerate(AMOUNTS, start=1)]
    rows += [penalty(100 + i, **{"处罚有效期": d}) for i, d in enumerate(DATES)]
    batch = run_file(city, write(tmp_path, "edges.csv", csv_bytes(rows)))
    assert batch.status == BatchStatus.DONE, batch.message
    reasons = _reasons(batch)
    amount_spec = next(f for f in RecordType.objects.get(code="xzcf").current().fields if f["key"] == "amount")
    for i, text in enumerate(AMOUNTS, start=1):
        cleaned = schema.validate([amount_spec], {"amount": text})
        stored = CreditRecord.objects.filter(decision_number=f"宁市监罚〔2025〕{i}号").first()
        if cleaned.ok:
            assert stored is not None and stored.amount == cleaned.values["amount"], text
        else:
            assert stored is None, text
            assert reasons[i + 1] == f"罚款金额(万元)：{cleaned.errors[amount_spec['label']]}"
    assert "超出金额范围" in reasons[2]
    for i, text in enumerate(DATES):
        stored = CreditRecord.objects.filter(decision_number=f"宁市监罚〔2025〕{100 + i}号").first()
        assert (stored is not None) == (text in {"2999-12-31", "1900-01-01"}), text
    assert schema.parse_integer(HOURS[0]) == int(HOURS[0])
    for text in HOURS[1:3]:
        with pytest.raises(schema.FieldError, match="超出整数范围"):
            schema.parse_integer(text)
