"""Catalog operations: loading the catalog file, publishing new versions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from govcredit.core.errors import DomainError
from govcredit.ledger.services import save_with_entry

from . import schema
from .models import BatchMode, Disclosure, Polarity, RecordType, RecordTypeVersion, SubjectKind

CATALOG_FILE = Path(__file__).parent / "data" / "catalog.json"
FIELD_TYPES = {"text", "integer", "decimal", "date", "enum", "multi_enum", "credit_code", "id_number"}
# The archive columns a catalog field may fill, with the field types each accepts; any other
# column (status, issuing_org …) is off limits, so a catalog version cannot let submitters set it.
RECORD_COLUMNS: dict[str, set[str]] = {
    "counterparty_name": {"text"}, "counterparty_kind": {"enum"}, "counterparty_code": {"credit_code"},
    "counterparty_id": {"id_number"}, "legal_representative": {"text"}, "legal_rep_id": {"id_number"}, "decision_number": {"text"},
    "decision_date": {"date"}, "authority_name": {"text"}, "facts": {"text"}, "legal_basis": {"text"},
    "result": {"text", "enum"}, "amount": {"decimal"}, "severity": {"enum", "text"}, "publicity_end": {"date"},
}
VERSION_KEYS = ("polarity", "source_category", "disclosure", "subject_kinds", "severities", "fields", "submitters",
                "batch_mode", "double_publicity", "publication", "description")


class CatalogError(DomainError, ValueError):
    """A catalog entry or version the rules refuse (the API answers 422, a page 400, with the message)."""


# --------------------------------------------------------------------------- publication and severity rules

#: How a record shows that its severity was given, not derived (``data["severity_basis"]``).
SEVERITY_GIVEN = "报送单位填写"


def publication_exemption(publication: dict[str, Any], kinds: Iterable[str], counterparty_kind: str,
                          amount: Decimal | None) -> str | None:
    """Why the publication rules exempt a decision from publication (Chinese), or None.

    ``exempt_only``: only these penalty kinds (警告、通报批评); ``low_fine``: only a fine at or below
    the line for the kind of counterparty (万元). Used by the portal and by severity derivation alike.
    """
    kinds = set(kinds)
    exempt = set(publication.get("exempt_only") or [])
    if kinds and exempt and kinds <= exempt:
        return f"仅受{'、'.join(sorted(kinds))}处罚，不予公示"
    low = (publication.get("low_fine") or {}).get(counterparty_kind)
    if kinds == {"罚款"} and low is not None and amount is not None and amount <= Decimal(low):
        return f"仅受较低数额罚款（不超过{low}万元），不予公示"
    return None


@dataclass(frozen=True)
class DerivedSeverity:
    severity: str
    basis: str  # which rule set it, as the record keeps it


def derive_severity(version: Any, kinds: Iterable[str] | None, counterparty_kind: str, amount: Decimal | None,
                    result: str) -> DerivedSeverity | None:
    """The severity the catalog's ``publication.severity_rules`` give a decision that states none.

    Rules are tried in order; each names a severity and matches on ``penalty_kinds`` (any of these
    kinds), ``mentions`` (处罚内容 names one of these lists, e.g. a serious-dishonesty list),
    ``exempt`` (the publication rules exempt the decision) or nothing (the fallback). None when the
    version has no rules (its first severity is then the default, as before).
    """
    publication = version.publication or {}
    kinds = list(kinds or [])
    for rule in publication.get("severity_rules") or []:
        if "penalty_kinds" in rule and not set(kinds) & set(rule["penalty_kinds"]):
            continue
        if "mentions" in rule and not any(m in (result or "") for m in rule["mentions"]):
            continue
        if rule.get("exempt"):
            reason = publication_exemption(publication, kinds, counterparty_kind, amount)
            if reason is None:
                continue
            return DerivedSeverity(rule["severity"], f"{rule['name']}：{reason}")
        return DerivedSeverity(rule["severity"], str(rule["name"]))
    return None


def _check_severity_rules(name: str, data: dict[str, Any]) -> None:
    names = {s.get("name") for s in data.get("severities") or []}
    rules = (data.get("publication") or {}).get("severity_rules") or []
    for rule in rules:
        if rule.get("severity") not in names or not rule.get("name"):
            raise CatalogError(f"{name}：严重程度推定规则“{rule.get('name')}”须有名称，且严重程度须为该类别的严重程度之一")
    if rules and any(k in rules[-1] for k in ("penalty_kinds", "mentions", "exempt")):
        raise CatalogError(f"{name}：严重程度推定规则的最后一条须无条件（其他情形）")


def check_definition(data: dict[str, Any]) -> None:
    """Reject a type definition that records could not be made under; messages in Chinese."""
    name = data.get("name", "?")
    if data.get("polarity") not in Polarity.values:
        raise CatalogError(f"{name}：性质应为 失信/守信/中性")
    if data.get("disclosure") not in Disclosure.values:
        raise CatalogError(f"{name}：公开属性应为 公开/共享/内部")
    if data.get("batch_mode", BatchMode.ACCEPT_VALID) not in BatchMode.values:
        raise CatalogError(f"{name}：批量方式无效")
    if not data.get("subject_kinds") or any(k not in SubjectKind.values for k in data["subject_kinds"]):
        raise CatalogError(f"{name}：适用主体无效")
    severities = data.get("severities") or []
    if not severities:
        raise CatalogError(f"{name}：至少需要一个严重程度")
    for s in severities:
        try:
            low, high = int(s.get("min_months", -1)), int(s.get("max_months", -1))
        except (TypeError, ValueError):
            low, high = -1, -1
        if not s.get("name") or low < 0 or high < low:
            raise CatalogError(f"{name}：严重程度“{s.get('name')}”的公示期无效（最短期不得长于最长期）")
    _check_severity_rules(name, data)
    keys, labels = set(), set()
    for fld in data.get("fields") or []:
        if fld.get("type") not in FIELD_TYPES:
            raise CatalogError(f"{name}：字段“{fld.get('label')}”的类型“{fld.get('type')}”无效")
        if fld["type"] in {"enum", "multi_enum"} and not fld.get("choices"):
            raise CatalogError(f"{name}：字段“{fld['label']}”需要可选值")
        if fld["key"] in keys or fld["label"] in labels:
            raise CatalogError(f"{name}：字段“{fld['label']}”重复")
        column = fld.get("column")
        if column is not None and fld["type"] not in RECORD_COLUMNS.get(column, set()):
            raise CatalogError(f"{name}：字段“{fld['label']}”不能写入档案列“{column}”")
        limit = schema.max_length(fld)
        if limit and any(len(str(c)) > limit for c in fld.get("choices") or []):
            raise CatalogError(f"{name}：字段“{fld['label']}”的可选值超过 {limit} 个字符，档案列存不下")
        keys.add(fld["key"])
        labels.add(fld["label"])
    for required in ("decision_number", "decision_date", "authority_name"):
        if not any(f.get("key") == required and f.get("column") == required for f in data.get("fields") or []):
            raise CatalogError(f"{name}：缺少必备字段 {required}（须写入同名档案列）")


def _same_definition(version: RecordTypeVersion, data: dict[str, Any]) -> bool:
    return all(getattr(version, k) == data.get(k, getattr(version, k)) for k in VERSION_KEYS)


@transaction.atomic
def publish_version(record_type: RecordType, data: dict[str, Any], *, actor: str, reason: str = "") -> RecordTypeVersion:
    """Add a new version of a type. Older versions and their records stay as they are."""
    check_definition({"name": record_type.name, **data})
    latest = RecordTypeVersion.objects.filter(record_type=record_type).order_by("-version").first()
    version = RecordTypeVersion(
        record_type=record_type, version=(latest.version + 1) if latest else 1, created_by=actor,
        **{k: data[k] for k in VERSION_KEYS if k in data},
    )
    save_with_entry(version, actor=actor, action="catalog.publish", reason=reason or "发布目录版本")
    return version


@transaction.atomic
def load_catalog(path: Path = CATALOG_FILE, *, actor: str = "system") -> list[RecordTypeVersion]:
    """Create missing types and publish a new version where the file differs from the latest one."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    published = []
    for data in doc["types"]:
        check_definition(data)
        rtype = RecordType.objects.filter(code=data["code"]).first()
        if rtype is None:
            rtype = RecordType(code=data["code"], name=data["name"])
            save_with_entry(rtype, actor=actor, action="catalog.create_type", reason="载入目录文件")
        latest = RecordTypeVersion.objects.filter(record_type=rtype).order_by("-version").first()
        if latest is None or not _same_definition(latest, data):
            published.append(publish_version(rtype, data, actor=actor, reason=f"载入目录文件 {path.name}"))
    return published
