"""Shared helpers for the intake tests: rows in the national 双公示 columns, files made on the fly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from govcredit.catalog.models import RecordType
from govcredit.intake.models import ImportBatch
from govcredit.intake.services import run_batch, submit_file
from govcredit.subjects.identifiers import make_credit_code, make_id_number
from govcredit.testing import City, build_city

# The national 双公示 行政处罚 columns (全国信用信息共享平台 双公示数据标准, current edition, in full).
NATIONAL = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)", "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容",
    "罚款金额(万元)", "没收违法所得、没收非法财物的金额(万元)", "暂扣或吊销证照名称及编号", "处罚决定日期",
    "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
AUTHORITY_CODE = make_credit_code("11", "320100", "000000003")  # 南京市市场监督管理局 in build_city()


def company_code(i: int) -> str:
    return make_credit_code("91", "320100", f"MA{i:07d}")


def person_id(i: int) -> str:
    return make_id_number("320106", dt.date(1980, 1, 1) + dt.timedelta(days=i % 9000), i % 1000)


def penalty(i: int, **changes: Any) -> dict[str, Any]:
    """A valid 行政处罚 row in the national columns; ``changes`` by column name."""
    natural = i % 5 == 4
    row = {
        "行政相对人名称": f"张某{i}" if natural else f"南京某某贸易有限公司{i}",
        "行政相对人类别": "自然人" if natural else "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": "" if natural else company_code(i),
        "行政相对人代码_2(工商注册号)": "", "行政相对人代码_3(组织机构代码)": "", "行政相对人代码_4(税务登记号)": "",
        "行政相对人代码_5(事业单位证书号)": "", "行政相对人代码_6(社会组织登记证号)": "",
        "法定代表人": "" if natural else "李四",
        "法定代表人证件类型": "",
        "法定代表人证件号码": "",
        "证件类型": "身份证" if natural else "",
        "证件号码": person_id(i) if natural else "",
        "行政处罚决定书文号": f"宁市监罚〔2025〕{i}号",
        "违法行为类型": "未按规定公示年度报告",
        "违法事实": "当事人未按规定公示年度报告，经责令限期改正仍未改正。",
        "处罚依据": "《企业信息公示暂行条例》第十八条",
        "处罚类别": "罚款、警告" if i % 3 == 0 else "罚款",
        "处罚内容": "罚款人民币五千元",
        "罚款金额(万元)": "0.5",
        "没收违法所得、没收非法财物的金额(万元)": "",
        "暂扣或吊销证照名称及编号": "",
        "处罚决定日期": "2025-03-05",
        "处罚有效期": "2026-03-05",
        "公示截止期": "",
        "处罚机关": "南京市市场监督管理局",
        "处罚机关统一社会信用代码": AUTHORITY_CODE,
        "数据来源单位": "南京市市场监督管理局",
        "数据来源单位统一社会信用代码": AUTHORITY_CODE,
        "备注": "",
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[dict[str, Any]], header: list[str] | None = None, *, encoding: str = "utf-8",
              title: str | None = None) -> bytes:
    header = header or NATIONAL
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    if title:
        writer.writerow([title] + [""] * (len(header) - 1))
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buf.getvalue().encode(encoding)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def run_file(city: City, path: Path, *, org: str = "scjg", type_name: str = "行政处罚", dry_run: bool = False,
             chunk_size: int | None = None, sheet: str = "") -> ImportBatch:
    rtype = RecordType.objects.get(name=type_name)
    batch, _ = submit_file(path, record_type=rtype, org=city.orgs[org], actor="tester", dry_run=dry_run, sheet=sheet)
    return run_batch(batch.pk, chunk_size=chunk_size)


@pytest.fixture
def city(db: None, tmp_path: Path, settings: Any) -> City:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_city()
