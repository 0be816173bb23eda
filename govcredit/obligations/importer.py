"""Importing procurement contracts and their payments from an XLSX workbook (or CSV), with an error per row.

The file is read by the intake's readers (``intake.sources``: bounded memory, zip-bomb and header checks,
the header found below title rows). Sheet ``合同`` (or the first sheet) holds one contract per row, paid in
one milestone; sheet ``付款`` the payments, by contract number. Each row is checked and written on its own
(its contract with its ledger entries, or its payment) and a bad row is reported with its sheet, row and
column and the rule's message; ``dry_run`` checks and rolls everything back. The buyer must be an
organisation in the importing user's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from govcredit.accounts import access
from govcredit.core.errors import DomainError
from govcredit.intake.sources import FileRejected, open_table
from govcredit.intake.sources.xlsx import NoSuchSheet
from govcredit.ledger.services import Actor
from govcredit.subjects.selectors import visible_orgs

from .models import Contract, MilestoneRule
from .procurement import MilestoneSpec, record_payment, register_contract

CONTRACT_COLUMNS = ["合同编号", "合同名称", "采购单位统一社会信用代码", "供应商名称", "供应商统一社会信用代码", "供应商为中小企业",
                    "合同金额（元）", "签订日期", "付款期限（日）", "付款起算", "约定检验验收期限（日）", "交付日期",
                    "检验验收合格日期"]
CONTRACT_REQUIRED = {"合同编号", "合同名称", "采购单位统一社会信用代码", "供应商名称", "合同金额（元）", "签订日期"}
PAYMENT_COLUMNS = ["合同编号", "金额（元）", "支付日期", "凭证号"]
PAYMENT_REQUIRED = {"合同编号", "金额（元）", "支付日期"}
RULES = {"交付": MilestoneRule.DELIVERY.value, "检验验收": MilestoneRule.INSPECTION.value,
         "结算确认": MilestoneRule.SETTLEMENT.value, "": MilestoneRule.DELIVERY.value}
YES = {"是", "Y", "y", "1", "TRUE", "true"}


class RowError(DomainError):
    """One row of an imported workbook cannot be taken: the column and the reason, reported beside the row."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class ImportReport:
    contracts: int = 0
    payments: int = 0
    errors: list[tuple[str, int, str, str]] = field(default_factory=list)  # sheet, row, column, message

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(row: dict[str, str], column: str, *, required: bool = False) -> dt.date | None:
    text = row.get(column, "").strip()
    if not text:
        if required:
            raise RowError(column, "必填项为空")
        return None
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise RowError(column, f"日期格式应为 YYYY-MM-DD：{text}") from None


def _amount(row: dict[str, str], column: str) -> Decimal:
    text = row.get(column, "").replace(",", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RowError(column, f"不是金额：{text or '（空）'}") from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise RowError(column, "金额须大于零，最多两位小数")
    return value


def _int(row: dict[str, str], column: str) -> int | None:
    text = row.get(column, "").strip()
    if not text:
        return None
    try:
        return int(Decimal(text))
    except InvalidOperation:
        raise RowError(column, f"不是整数：{text}") from None


def _rows(path: Path, columns: list[str], sheet: str, file_name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    with open_table(path, set(columns), sheet=sheet, file_name=file_name) as table:
        header = table.header
        rows = []
        for frame in table.frames(2000):
            for rec in frame.iter_rows(named=True):
                rows.append((int(rec["_row"]), {name: str(rec.get(f"c{i}") or "") for i, name in enumerate(header)}))
    return header, rows


def _contract(row: dict[str, str], orgs: Any, actor: Actor) -> Contract:
    for column in CONTRACT_REQUIRED:
        if not row.get(column, "").strip():
            raise RowError(column, "必填项为空")
    buyer = orgs.filter(credit_code=row["采购单位统一社会信用代码"].strip()).first()
    if buyer is None:
        raise RowError("采购单位统一社会信用代码", "找不到该单位，或不在您的管辖范围内")
    rule = row.get("付款起算", "").strip()
    if rule not in RULES:
        raise RowError("付款起算", "应为 交付、检验验收 或 结算确认")
    amount = _amount(row, "合同金额（元）")
    return register_contract(
        number=row["合同编号"].strip(), name=row["合同名称"].strip(), buyer=buyer, supplier_name=row["供应商名称"].strip(),
        supplier_code=row.get("供应商统一社会信用代码", "").strip(),
        supplier_is_sme=row.get("供应商为中小企业", "").strip() in YES, amount=amount,
        signed_on=_date(row, "签订日期", required=True) or dt.date.min, payment_days=_int(row, "付款期限（日）") or 30,
        inspection_days=_int(row, "约定检验验收期限（日）"), delivered_on=_date(row, "交付日期"),
        accepted_on=_date(row, "检验验收合格日期"), milestones=[MilestoneSpec("合同价款", amount, RULES[rule])], actor=actor)


def _payment(row: dict[str, str], contracts: Any, actor: Actor) -> None:
    for column in PAYMENT_REQUIRED:
        if not row.get(column, "").strip():
            raise RowError(column, "必填项为空")
    contract = contracts.filter(number=row["合同编号"].strip()).first()
    if contract is None:
        raise RowError("合同编号", "找不到该合同，或不在您的管辖范围内")
    milestone = contract.milestones.filter(paid_on__isnull=True).order_by("seq").first()
    if milestone is None:
        raise RowError("金额（元）", "该合同的款项已付清")
    record_payment(milestone, amount=_amount(row, "金额（元）"), paid_on=_date(row, "支付日期", required=True) or dt.date.min,
                   actor=actor, voucher=row.get("凭证号", "").strip())


def import_contracts(path: Path, *, user: Any, actor: Actor | None = None, file_name: str = "",
                     dry_run: bool = False) -> ImportReport:
    """Import the workbook's contracts, then its payments; returns counts and the rows' errors."""
    if not access.has(user, access.MANAGE_OBLIGATIONS):
        raise PermissionDenied("您的角色无权导入采购合同")
    report = ImportReport()
    orgs = visible_orgs(user)
    from .selectors import visible_contracts

    spreadsheet = (file_name or path.name).lower().endswith(".xlsx")
    with transaction.atomic():
        for sheet, columns, write in (("合同", CONTRACT_COLUMNS, "contract"), ("付款", PAYMENT_COLUMNS, "payment")):
            if write == "payment" and not spreadsheet:
                break  # a CSV file holds contracts only
            try:
                header, rows = _rows(path, columns, sheet if write == "payment" else "", file_name)
            except FileRejected as e:
                if write == "payment" and isinstance(e, NoSuchSheet):
                    break  # no payments sheet
                report.errors.append((sheet, 0, "", str(e)))
                break
            missing = [c for c in (CONTRACT_REQUIRED if write == "contract" else PAYMENT_REQUIRED) if c not in header]
            if missing:
                report.errors.append((sheet, 0, "、".join(missing), "缺少必需的列"))
                continue
            for number, row in rows:
                try:
                    with transaction.atomic():
                        if write == "contract":
                            _contract(row, orgs, actor or user)
                            report.contracts += 1
                        else:
                            _payment(row, visible_contracts(user), actor or user)
                            report.payments += 1
                except RowError as e:
                    report.errors.append((sheet, number, e.column, str(e)))
                except (DomainError, ValidationError) as e:
                    report.errors.append((sheet, number, getattr(e, "field", ""), _message(e)))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "；".join(str(m) for m in error.messages)
    return str(error)


