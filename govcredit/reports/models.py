"""Purpose-logged archive queries and the credit reports issued from them.

Both are ledgered: a query log that could be edited or deleted would not be a log, and a report's
number, verification code digest and content digest are what the public verification page checks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class Purpose(models.TextChoices):
    SELECTION = "选拔任用", _("选拔任用")
    HONOURS = "评优评先", _("评优评先")
    PROMOTION = "职务晋升", _("职务晋升")
    AWARDS = "表彰奖励", _("表彰奖励")
    OTHER = "其他", _("其他")


class QueryAction(models.TextChoices):
    ARCHIVE = "查阅档案", _("查阅档案")
    FULL_ID = "查看完整身份证号", _("查看完整身份证号")
    REPORT = "出具信用报告", _("出具信用报告")


class ArchiveQuery(LedgeredModel):
    """One look at a subject's archive: who, whom, why, under which case, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查询人", on_delete=models.PROTECT,
                             related_name="+")
    user_name = models.CharField("查询人姓名", max_length=150)
    user_org_name = models.CharField("查询人单位", max_length=200, blank=True)
    subject_org = models.ForeignKey("subjects.Organization", verbose_name="被查询单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    subject_person = models.ForeignKey("subjects.CivilServant", verbose_name="被查询公务员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=10, choices=QueryAction.choices)
    purpose = models.CharField("查询目的", max_length=10, choices=Purpose.choices)
    purpose_text = models.CharField("目的说明", max_length=200, blank=True)
    case_reference = models.CharField("事由编号", max_length=100)
    at = models.DateTimeField("查询时间", db_index=True)

    class Meta:
        verbose_name = "档案查询记录"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_person", "at"], name="reports_query_person"),
                   models.Index(fields=["subject_org", "at"], name="reports_query_org")]
        constraints = [models.CheckConstraint(
            condition=models.Q(subject_org__isnull=False) | models.Q(subject_person__isnull=False),
            name="reports_query_has_subject", violation_error_message="查询记录必须有被查询主体")]

    def __str__(self) -> str:
        return f"{self.user_name} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def subject_name(self) -> str:
        subject = self.subject_person or self.subject_org
        return subject.name if subject is not None else ""


class CreditReport(LedgeredModel):
    """An issued credit report: its content as issued (already masked for its reader), the digests the
    verification page compares, and the PDF's SHA-256 (an edited file no longer matches it)."""

    number = models.CharField("报告编号", max_length=24, unique=True)
    code_digest = models.CharField("核验码摘要", max_length=64)
    query = models.OneToOneField(ArchiveQuery, verbose_name="查询记录", on_delete=models.PROTECT, related_name="report")
    subject_org = models.ForeignKey("subjects.Organization", verbose_name="报告主体单位", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    subject_person = models.ForeignKey("subjects.CivilServant", verbose_name="报告主体公务员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    subject_masked = models.CharField("主体（脱敏）", max_length=200)
    issued_at = models.DateTimeField("出具时间")
    issuer_name = models.CharField("出具人", max_length=150)
    issuer_org_name = models.CharField("出具单位", max_length=200)
    content = models.JSONField("报告内容")
    content_digest = models.CharField("内容摘要", max_length=64)
    archive_digest = models.CharField("档案状态摘要", max_length=64)
    pdf_sha256 = models.CharField("PDF 文件 SHA-256", max_length=64)
    pdf_path = models.CharField("PDF 存储位置", max_length=300)

    class Meta:
        verbose_name = "信用报告"
        verbose_name_plural = verbose_name
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["pdf_sha256"], name="reports_report_pdf")]

    def __str__(self) -> str:
        return self.number


class ReviewStatus(models.TextChoices):
    QUEUED = "排队中", _("排队中")
    RUNNING = "处理中", _("处理中")
    DONE = "已完成", _("已完成")
    FAILED = "失败", _("失败")


class ReviewBatch(models.Model):
    """A pre-appointment check (任前审查) of a list of candidates: one report per matched candidate, a zip of
    the PDFs and a summary workbook. The queries and reports it makes are ledgered one by one; the batch
    itself is the job's bookkeeping (progress, outcome per row)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT,
                             related_name="+")
    purpose = models.CharField("查询目的", max_length=10, choices=Purpose.choices)
    purpose_text = models.CharField("目的说明", max_length=200, blank=True)
    case_reference = models.CharField("事由编号", max_length=100)
    file_name = models.CharField("文件名", max_length=200)
    verify_url = models.CharField("核验网址", max_length=300)
    status = models.CharField("状态", max_length=4, choices=ReviewStatus.choices, default=ReviewStatus.QUEUED)
    total = models.PositiveIntegerField("行数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    flagged = models.PositiveIntegerField("有失信记录", default=0)
    unmatched = models.PositiveIntegerField("未能匹配", default=0)
    rows = models.JSONField("逐行结果", default=list)
    message = models.TextField("说明", blank=True)
    zip_path = models.CharField("报告压缩包", max_length=300, blank=True)
    summary_path = models.CharField("汇总表", max_length=300, blank=True)
    created_at = models.DateTimeField("提交时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "任前审查批次"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}"


class EducationTarget(LedgeredModel):
    """The yearly integrity-education target (学时) every civil servant should complete, set by the credit
    office; a change is a new ledger entry, so last year's completion rates keep the target they had."""

    year = models.PositiveIntegerField("年度", unique=True)
    hours = models.PositiveIntegerField("年度目标学时")
    set_by = models.CharField("设定人", max_length=150)
    reason = models.CharField("依据", max_length=200)

    class Meta:
        verbose_name = "诚信教育年度目标"
        verbose_name_plural = verbose_name
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.hours}"


class RosterCheck(models.Model):
    """One comparison of a roster from the civil-servant personnel database with the credit system."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", on_delete=models.PROTECT,
                             related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("名册行数")
    new_findings = models.PositiveIntegerField("新发现")
    still_open = models.PositiveIntegerField("此前未处理仍存在")
    created_at = models.DateTimeField("核查时间")

    class Meta:
        verbose_name = "人事库核查比对"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} #{self.pk}"


class FindingKind(models.TextChoices):
    MISSING_HERE = "信用系统中无此人", _("信用系统中无此人")
    MISSING_THERE = "人事库中无此人", _("人事库中无此人")
    EMPLOYER = "工作单位不一致", _("工作单位不一致")
    POST = "职务不一致", _("职务不一致")
    RANK = "职级不一致", _("职级不一致")
    STATUS = "状态不一致", _("状态不一致")
    INVALID_ID = "身份证号无效", _("身份证号无效")


class FindingStatus(models.TextChoices):
    OPEN = "待处理", _("待处理")
    REGISTERED = "已登记", _("已登记")
    POST_CHANGED = "已记录任职变动", _("已记录任职变动")
    DISMISSED = "已驳回", _("已驳回")


class RosterFinding(LedgeredModel):
    """A difference between the roster and the credit system, reconciled item by item (each a ledger entry).

    ``fingerprint`` names the difference itself (kind, person, both values): a roster run again finds the
    same fingerprints and reports nothing new, whether they were dismissed or are still open."""

    check_run = models.ForeignKey(RosterCheck, verbose_name="核查", on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField("差异类型", max_length=10, choices=FindingKind.choices)
    fingerprint = models.CharField("差异指纹", max_length=64, db_index=True)
    row = models.PositiveIntegerField("名册行号", null=True, blank=True)
    person = models.ForeignKey("subjects.CivilServant", verbose_name="公务员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    id_masked = models.CharField("身份证号", max_length=18, blank=True)
    id_cipher = models.TextField("身份证号（密文）", blank=True, editable=False)
    roster = models.JSONField("名册中的值", default=dict)
    ours = models.CharField("信用系统中的值", max_length=200, blank=True)
    theirs = models.CharField("名册中的值（差异项）", max_length=200, blank=True)
    status = models.CharField("处理状态", max_length=8, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    resolution = models.CharField("处理说明", max_length=300, blank=True)
    resolved_by = models.CharField("处理人", max_length=150, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "核查差异"
        verbose_name_plural = verbose_name
        ordering = ["check_run", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"
