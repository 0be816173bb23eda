"""The versioned catalog of record types (目录和标准)."""

from __future__ import annotations

from typing import Any

from django.db import models

from govcredit.ledger.models import LedgeredModel


class Polarity(models.TextChoices):
    DISHONEST = "失信", "失信"
    TRUSTWORTHY = "守信", "守信"
    NEUTRAL = "中性", "中性"


class Disclosure(models.TextChoices):
    PUBLIC = "公开", "公开"
    SHARED = "共享", "共享"
    INTERNAL = "内部", "内部"


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", "政府机构"
    CIVIL_SERVANT = "civil_servant", "公务员"
    COUNTERPARTY = "counterparty", "行政相对人"


class BatchMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "整批通过或整批退回"
    ACCEPT_VALID = "accept_valid", "接收有效行"


class RecordType(LedgeredModel):
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信息类别"
        verbose_name_plural = "信息类别"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def current(self) -> RecordTypeVersion:
        prefetched: list[RecordTypeVersion] | None = getattr(self, "_prefetched_objects_cache", {}).get("versions")
        version: RecordTypeVersion | None
        if prefetched is not None:  # a list read them with prefetch_related("versions"): no query per type
            version = max(prefetched, key=lambda v: v.version, default=None)
        else:
            version = self.versions.order_by("-version").first()
        assert version is not None, f"{self.name} 没有任何版本"
        return version


class RecordTypeVersion(LedgeredModel):
    """One immutable version of a record type; records keep the version they were made under.

    ``severities`` is a list of ``{"name", "min_months", "max_months", "publish"}``; ``fields`` a list of
    ``{"key", "label", "type", "required", "choices", "aliases"}`` (see ``catalog.schema``).
    """

    record_type = models.ForeignKey(RecordType, verbose_name="信息类别", on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField("版本")
    polarity = models.CharField("性质", max_length=2, choices=Polarity.choices)
    source_category = models.CharField("信息来源", max_length=20)
    disclosure = models.CharField("公开属性", max_length=2, choices=Disclosure.choices)
    subject_kinds = models.JSONField("适用主体", default=list)
    severities = models.JSONField("严重程度及公示期", default=list)
    fields = models.JSONField("字段", default=list)
    submitters = models.JSONField("报送单位（统一社会信用代码，空为不限）", default=list, blank=True)
    batch_mode = models.CharField("批量方式", max_length=20, choices=BatchMode.choices, default=BatchMode.ACCEPT_VALID)
    double_publicity = models.BooleanField("双公示", default=False)
    publication = models.JSONField("公示规则", default=dict, blank=True,
                                   help_text="exempt_only：仅受这些处罚不予公示；low_fine：按相对人类别的较低罚款额（万元），"
                                             "仅受较低罚款不予公示；publish_within_workdays：应在几个工作日内公示；"
                                             "withdraw_within_days：撤销、变更后几日内撤下")
    description = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.CharField("创建人", max_length=150, blank=True)

    class Meta:
        verbose_name = "信息类别版本"
        verbose_name_plural = "信息类别版本"
        ordering = ["record_type_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "version"], name="catalog_type_version_unique",
                                    violation_error_message="该信息类别已有同号版本。"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type.name} v{self.version}"

    def severity(self, name: str) -> dict[str, Any] | None:
        return next((s for s in self.severities if s["name"] == name), None)

    def field_labels(self) -> list[str]:
        return [f["label"] for f in self.fields]
