"""XLSX import of contracts and payments: rows written with their due dates, bad rows reported by sheet, row
and column, a dry run writes nothing, buyers outside the user's scope are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from govcredit.obligations.importer import CONTRACT_COLUMNS, PAYMENT_COLUMNS, import_contracts
from govcredit.obligations.models import Contract, ObligationStatus
from govcredit.testing import City, on_day

DAY = dt.date(2026, 3, 10)


def workbook(tmp_path: Path, city: City) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "合同"
    sheet.append(["采购合同导入"])  # a title row above the header
    sheet.append(CONTRACT_COLUMNS)
    xin, qin = city.orgs["xinjiekou"].credit_code, city.orgs["qinhuai"].credit_code
    sheet.append(["IMP-1", "打印机采购", xin, "南京云启科技有限公司", "", "是", "50000", "2026-01-05", "30", "交付", "",
                  "2026-01-16", ""])
    sheet.append(["IMP-2", "绿化养护", xin, "南京绿洲环境服务有限公司", "", "是", "abc", "2026-01-05", "", "", "", "", ""])
    sheet.append(["IMP-3", "道路施工", qin, "南京路桥有限公司", "", "是", "90000", "2026-01-05", "", "", "", "2026-01-06", ""])
    sheet.append(["IMP-4", "验收后付款", xin, "南京木作家具有限公司", "", "否", "20000", "2026-01-05", "60", "检验验收", "10",
                  "2026-02-02", "2026-02-09"])
    sheet.append(["IMP-5", "超期约定", xin, "南京某某有限公司", "", "是", "20000", "2026-01-05", "90", "", "", "", ""])
    pay = book.create_sheet("付款")
    pay.append(PAYMENT_COLUMNS)
    pay.append(["IMP-1", "20000", "2026-03-02", "PZ-1"])
    pay.append(["IMP-9", "100", "2026-03-02", ""])
    path = tmp_path / "contracts.xlsx"
    book.save(path)
    return path


@pytest.mark.time_machine(on_day(DAY))
class TestImport:
    def test_rows_and_their_errors(self, shared_city: City, tmp_path: Path) -> None:
        path = workbook(tmp_path, shared_city)
        dry = import_contracts(path, user=shared_city.users["district"], dry_run=True)
        assert (dry.contracts, dry.payments) == (2, 1) and not Contract.objects.filter(number__startswith="IMP").exists()
        report = import_contracts(path, user=shared_city.users["district"])
        assert (report.contracts, report.payments) == (2, 1)
        errors = {(sheet, row, column) for sheet, row, column, _ in report.errors}
        assert errors == {("合同", 4, "合同金额（元）"), ("合同", 5, "采购单位统一社会信用代码"), ("合同", 7, "payment_days"),
                          ("付款", 3, "合同编号")}
        first = Contract.objects.get(number="IMP-1").milestones.get()
        assert first.due_on == dt.date(2026, 2, 24) and first.paid_amount == Decimal("20000")
        assert first.obligation is not None and first.obligation.status == ObligationStatus.OVERDUE
        assert first.obligation.amount == Decimal("30000.00")
        assert Contract.objects.get(number="IMP-4").milestones.get().due_on == dt.date(2026, 4, 10)

    def test_command(self, shared_city: City, tmp_path: Path) -> None:
        path = workbook(tmp_path, shared_city)
        with pytest.raises(Exception, match="部分行有错误"):
            call_command("import_contracts", str(path), "--user", "credit", "--dry-run")
        assert not Contract.objects.filter(number__startswith="IMP").exists()
