"""PPP projects (K2) and investment promises (K4): what the government side owes, to whom, by when.

Responsibility attaches to a *post* of an organisation (``responsible_org`` + ``responsible_post``, e.g.
玄武区人民政府 / 区长), not to a person: whoever held that post on a day is read from the post history
(``subjects.PostAssignment``), so a breach names the person responsible at the time even after he moved
on, and a promise stays with the organisation across a change of leadership.

Every row is ledgered: each state change is a ledger entry written by :mod:`.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcredit.ledger.models import LedgeredModel


class Stage(models.TextChoices):
    IDENTIFY = "识别", _("识别")
    PREPARE = "准备", _("准备")
    PROCURE = "采购", _("采购")
    EXECUTE = "执行", _("执行")
    TRANSFER = "移交", _("移交")
    DONE = "已移交", _("已移交")


STAGE_ORDER = [Stage.IDENTIFY, Stage.PREPARE, Stage.PROCURE, Stage.EXECUTE, Stage.TRANSFER]


class DutyKind(models.TextChoices):
    APPROVAL = "审批", _("审批")
    PAYMENT = "合同付款", _("合同付款")
    DISCLOSURE = "信息公开", _("信息公开")
    OTHER = "其他", _("其他")


class DutyStatus(models.TextChoices):
    OPEN = "待履行", _("待履行")
    DONE = "已履行", _("已履行")
    BREACHED = "已违约", _("已违约")


class PPPProject(LedgeredModel):
    number = models.CharField("项目编号", max_length=20, unique=True)
    name = models.CharField("项目名称", max_length=200)
    org = models.ForeignKey("subjects.Organization", verbose_name="实施机构", on_delete=models.PROTECT,
                            related_name="ppp_projects")
    partner_name = models.CharField("社会资本方", max_length=200, blank=True)
    partner_code = models.CharField("社会资本方统一社会信用代码", max_length=18, blank=True)
    investment = models.DecimalField("总投资（万元）", max_digits=16, decimal_places=2, default=0)
    stage = models.CharField("当前阶段", max_length=4, choices=Stage.choices, default=Stage.IDENTIFY)
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "PPP项目"
        verbose_name_plural = verbose_name
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:project_detail", args=[self.pk])


class ProjectStage(LedgeredModel):
    """One stage of a project, with the government-side post responsible for it."""

    project = models.ForeignKey(PPPProject, verbose_name="PPP项目", on_delete=models.PROTECT, related_name="stages")
    stage = models.CharField("阶段", max_length=4, choices=Stage.choices)
    responsible_org = models.ForeignKey("subjects.Organization", verbose_name="责任单位", on_delete=models.PROTECT,
                                        related_name="+")
    responsible_post = models.CharField("责任岗位", max_length=100)
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "PPP项目阶段"
        verbose_name_plural = verbose_name
        ordering = ["project", "started_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="commitments_stage_once",
                                               violation_error_message="同一项目的同一阶段只能登记一次")]

    def __str__(self) -> str:
        return f"{self.project.number} {self.stage}"


class Duty(LedgeredModel):
    """A duty of the government side in one stage: an approval, a payment under the contract, a disclosure."""

    project = models.ForeignKey(PPPProject, verbose_name="PPP项目", on_delete=models.PROTECT, related_name="duties")
    stage = models.ForeignKey(ProjectStage, verbose_name="阶段", on_delete=models.PROTECT, related_name="duties")
    kind = models.CharField("义务类别", max_length=6, choices=DutyKind.choices)
    title = models.CharField("义务内容", max_length=200)
    amount = models.DecimalField("金额（万元）", max_digits=16, decimal_places=2, null=True, blank=True)
    basis = models.CharField("依据（合同条款、文件）", max_length=200)
    due_on = models.DateField("履行期限")
    status = models.CharField("状态", max_length=4, choices=DutyStatus.choices, default=DutyStatus.OPEN)
    done_on = models.DateField("履行日期（公开日期）", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "PPP项目政府方义务"
        verbose_name_plural = verbose_name
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commitments:duty_detail", args=[self.pk])


class PromiseKind(models.TextChoices):
    POLICY = "优惠政策", _("优惠政策")
    LAND = "土地", _("土地")
    SUBSIDY = "补贴", _("补贴")
    APPROVAL = "审批", _("审批")
    OTHER = "其他", _("其他")


class PromiseStatus(models.TextChoices):
    OPEN = "履行中", _("履行中")
    KEPT = "已兑现", _("已兑现")
    CHANGED = "已依法变更", _("已依法变更")
    BREACHED = "已违约", _("已违约")
    ENDED = "已依法解除", _("已依法解除")


OPEN_PROMISE = {PromiseStatus.OPEN, PromiseStatus.CHANGED}


class Promise(LedgeredModel):
    """A policy promise or contract clause made to an investor. It belongs to the organisation that made it:
    a change of government or of the person in the responsible post changes nothing."""

    number = models.CharField("承诺编号", max_length=20, unique=True)
    org = models.ForeignKey("subjects.Organization", verbose_name="承诺单位", on_delete=models.PROTECT,
                            related_name="investment_promises")
    investor_name = models.CharField("投资方", max_length=200)
    investor_code = models.CharField("投资方统一社会信用代码", max_length=18, blank=True)
    contact = models.CharField("投资方联系电话", max_length=40, blank=True)
    kind = models.CharField("承诺类别", max_length=6, choices=PromiseKind.choices)
    terms = models.TextField("承诺内容")
    legal_basis = models.CharField("法律政策依据", max_length=300)
    document = models.CharField("合同或文件编号", max_length=100)
    amount = models.DecimalField("金额（万元）", max_digits=16, decimal_places=2, null=True, blank=True)
    promised_on = models.DateField("承诺日期")
    due_on = models.DateField("兑现期限")
    responsible_post = models.CharField("责任岗位", max_length=100)
    status = models.CharField("状态", max_length=6, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    kept_on = models.DateField("兑现日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "招商引资承诺"
        verbose_name_plural = verbose_name
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("commitments:promise_detail", args=[self.pk])


class PromiseChange(LedgeredModel):
    """A change of a promise: only with its legal basis and the procedure followed, old and new terms kept."""

    promise = models.ForeignKey(Promise, verbose_name="承诺", on_delete=models.PROTECT, related_name="changes")
    legal_basis = models.CharField("变更的法律依据", max_length=300)
    procedure = models.CharField("履行的程序（决策文件、会议纪要编号）", max_length=300)
    reason = models.TextField("变更理由")
    old_terms = models.TextField("原承诺内容")
    new_terms = models.TextField("变更后承诺内容")
    old_due_on = models.DateField("原兑现期限")
    new_due_on = models.DateField("新兑现期限")
    old_amount = models.DecimalField("原金额（万元）", max_digits=16, decimal_places=2, null=True, blank=True)
    new_amount = models.DecimalField("新金额（万元）", max_digits=16, decimal_places=2, null=True, blank=True)
    terminates = models.BooleanField("解除承诺", default=False)
    decided_on = models.DateField("决定日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "承诺变更"
        verbose_name_plural = verbose_name
        ordering = ["promise", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.promise.number} {self.decided_on}"


class Compensation(LedgeredModel):
    """Compensation to the investor for a change or a breach of a promise."""

    promise = models.ForeignKey(Promise, verbose_name="承诺", on_delete=models.PROTECT, related_name="compensations")
    change = models.ForeignKey(PromiseChange, verbose_name="对应变更", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="compensations")
    amount = models.DecimalField("补偿金额（万元）", max_digits=16, decimal_places=2)
    description = models.TextField("补偿内容")
    paid_on = models.DateField("补偿日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "对投资方的补偿"
        verbose_name_plural = verbose_name
        ordering = ["promise", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.promise.number} {self.amount}"


class CommitmentImport(LedgeredModel):
    """One run of the import of projects and promises from a file (``importer.py``): who ran it, on which file,
    what it wrote, and the rejected rows as they were sent (the error report, downloadable as XLSX by the
    person who ran it and the credit office). Query codes of new promises are never kept here: they are shown
    once, on the page or in the command's output."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64)
    dry_run = models.BooleanField("仅检查", default=False)
    counts = models.JSONField("导入结果", default=dict)
    n_rejected = models.PositiveIntegerField("拒绝行数", default=0)
    rejected = models.JSONField("被拒绝的行", default=dict)
    ran_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "PPP项目与承诺导入"
        verbose_name_plural = verbose_name
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.ran_at:%Y-%m-%d %H:%M}"


class ImportStatus(models.TextChoices):
    QUEUED = "排队中", _("排队中")
    RUNNING = "导入中", _("导入中")
    DONE = "已完成", _("已完成")
    FAILED = "失败", _("失败")


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("页面上传")
    CLI = "cli", _("命令行")


class ImportJob(models.Model):
    """One import of a file, from its upload to its result (``runs.py``): who, when, which file, its status and
    progress (rows done of the file's rows), the counts and the rejected rows; a page upload runs in the task
    queue, the command in its own process, both through :func:`~govcredit.commitments.runs.run_job`. When it
    ends, the ledgered :class:`CommitmentImport` it made is ``run`` (its error report). Not ledgered itself:
    its progress changes many times a second; what the import wrote is ledgered row by row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    org = models.ForeignKey("subjects.Organization", verbose_name="导入人所属单位", null=True, blank=True,
                            on_delete=models.PROTECT, related_name="+")
    actor = models.CharField("操作人", max_length=150)
    source = models.CharField("来源", max_length=10, choices=ImportSource.choices, default=ImportSource.UPLOAD)
    file_name = models.CharField("文件名", max_length=200)
    file_path = models.CharField("存储路径", max_length=500)
    sha256 = models.CharField("文件摘要（SHA-256）", max_length=64)
    size = models.BigIntegerField("字节数", default=0)
    dry_run = models.BooleanField("仅检查", default=False)
    status = models.CharField("状态", max_length=4, choices=ImportStatus.choices, default=ImportStatus.QUEUED,
                              db_index=True)
    rows_total = models.PositiveIntegerField("总行数", null=True, blank=True)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    counts = models.JSONField("导入结果", default=dict, blank=True)
    n_rejected = models.PositiveIntegerField("拒绝行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # [sheet, row, column, message], row 0: the file's
    message = models.TextField("说明", blank=True)
    run = models.OneToOneField(CommitmentImport, verbose_name="导入记录", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="job")
    created_at = models.DateTimeField("提交时间", db_index=True)
    started_at = models.DateTimeField("开始导入", null=True, blank=True)
    finished_at = models.DateTimeField("导入完成", null=True, blank=True)
    # The process working on the run: its claim (core.jobs.claim_token) and its heartbeat, renewed with progress.
    worker = models.CharField("处理进程标识", max_length=100, blank=True)
    heartbeat = models.DateTimeField("最近进展时间", null=True, blank=True)

    class Meta:
        verbose_name = "PPP项目与承诺导入任务"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "created_at"], name="commitments_job_org_idx")]

    def __str__(self) -> str:
        return f"导入 #{self.pk} {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("commitments:import_run", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(99, self.rows_done * 100 // self.rows_total)


class ImportCode(models.Model):
    """A new promise's query code, kept encrypted (``core.crypto``) from the moment the import creates the
    promise (in the same transaction) until the person who ran the import reads it on the run's page, once:
    then it is deleted. The obligations register itself keeps only the code's SHA-256. (Not among the columns
    ``rotate-keys`` re-encrypts: a code waits here only until its first reading, under the field keys of the day.)"""

    job = models.ForeignKey(ImportJob, verbose_name="导入任务", on_delete=models.CASCADE, related_name="codes")
    number = models.CharField("承诺编号", max_length=20)
    code = models.TextField("查询码（密文）")

    class Meta:
        verbose_name = "待显示的查询码"
        verbose_name_plural = verbose_name
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.number
