"""What the public portal shows (公开 / 双公示): one publication per disclosed record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcredit.archive.models import CreditRecord
from govcredit.ledger.models import LedgeredModel


class UnpublishReason(models.TextChoices):
    EXPIRED = "公示期满", _("公示期满")
    REVOKED = "已撤销", _("决定已撤销、变更或被确认无效")
    REPAIRED = "已修复", _("信用修复")
    RULES = "不予公示", _("按公示规则不予公示")


class Publication(LedgeredModel):
    """A record on the public portal, with the masked values the public may see.

    Public values are computed on the server when the record is published (natural persons'
    names masked, ID numbers never copied), so nothing personal can reach a page or a download.
    The record itself stays in the archive whatever happens to its publication.
    """

    record = models.OneToOneField(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="publication")
    published_at = models.DateTimeField("公开时间", db_index=True)
    visible_until = models.DateField("公示截止", db_index=True)
    is_public = models.BooleanField("公示中", default=True, db_index=True)
    unpublished_at = models.DateTimeField("撤下时间", null=True, blank=True)
    unpublish_reason = models.CharField("撤下原因", max_length=10, choices=UnpublishReason.choices, blank=True)
    public_note = models.TextField("公开说明", blank=True)
    public_name = models.CharField("公开名称", max_length=200, db_index=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    decision_number = models.CharField("决定文书号", max_length=100, db_index=True)
    authority_name = models.CharField("决定机关", max_length=200, db_index=True)
    type_name = models.CharField("类别", max_length=50, db_index=True)
    decision_date = models.DateField("决定日期", db_index=True)

    class Meta:
        verbose_name = "公开信息"
        verbose_name_plural = "公开信息"
        ordering = ["-decision_date", "-id"]
        # The portal's 撤销公示 list: revoked decisions, newest revocation first.
        indexes = [models.Index(fields=["unpublish_reason", "-unpublished_at"], name="disclosure_pub_unpub_idx")]

    def __str__(self) -> str:
        return f"{self.type_name} {self.decision_number}"


class Refusal(models.Model):
    """A record the publication rules refuse, as of the record's ``updated_at`` when it was judged.

    The rules depend only on the record and its catalog version (immutable, and changing it changes
    the record), so :func:`~govcredit.disclosure.services.publish_due` judges a refused record again
    only once the record has changed since, instead of on every run. Derived data, not ledgered.
    """

    record = models.OneToOneField(CreditRecord, verbose_name="信用记录", on_delete=models.CASCADE, primary_key=True,
                                  related_name="publication_refusal")
    record_updated_at = models.DateTimeField("记录更新时间（判断时）")
    reason = models.CharField("不予公示的原因", max_length=200)
    checked_at = models.DateTimeField("判断时间")

    class Meta:
        verbose_name = "不予公示记录"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.record_id}：{self.reason}"


# --- the public search index (see govcredit/disclosure/search/__init__.py for why it looks like this) ---


class PublicationGram(models.Model):
    """One posting of the bigram index: publication ``publication`` has bigram ``gram`` in its public name.

    ``gram`` is the two characters packed into one integer (``ord(a) * 0x110000 + ord(b)``): fixed
    width, no collation, the cheapest comparison both databases have. The composite primary key
    ``(gram, publication)`` *is* the index: a posting list is one range of it, sorted by
    publication id, which is also the portal's display order (newest publication first). Rows exist
    only while the publication is public; they are derived data, so they are not ledgered.
    """

    pk = models.CompositePrimaryKey("gram", "publication")
    gram = models.BigIntegerField("二元组编码")
    publication = models.ForeignKey(Publication, verbose_name="公开信息", on_delete=models.DO_NOTHING,
                                    db_index=False, related_name="+")

    class Meta:
        verbose_name = "公开信息检索二元组"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.gram}:{self.publication_id}"


class GramCount(models.Model):
    """How many public publications contain a bigram: the search starts from the rarest one."""

    gram = models.BigIntegerField("二元组编码", primary_key=True)
    n = models.BigIntegerField("公开信息数", default=0)

    class Meta:
        verbose_name = "二元组频次"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.gram}={self.n}"


class PublicationSearchKey(models.Model):
    """The normalised (NFKC, case-folded, no whitespace) public name and decision number of a publication.

    Kept beside :class:`Publication` rather than in it because Publication is ledgered: a new column
    there would change the state digest of every row published before it existed. On PostgreSQL,
    migration 0003 adds ``(publication_id) INCLUDE (name_key)`` so that checking a candidate is an
    index-only probe.
    """

    publication = models.OneToOneField(Publication, verbose_name="公开信息", on_delete=models.DO_NOTHING,
                                       primary_key=True, related_name="+")
    name_key = models.TextField("名称检索键")
    number_key = models.TextField("文书号检索键")

    class Meta:
        verbose_name = "公开信息检索键"
        verbose_name_plural = verbose_name
        # text_pattern_ops lets PostgreSQL use the index for ``LIKE 'prefix%'`` under any collation;
        # other databases ignore opclasses.
        indexes = [models.Index(fields=["number_key"], name="disclosure_key_number_idx",
                                opclasses=["text_pattern_ops"])]

    def __str__(self) -> str:
        return self.name_key


class PublicAuthority(models.Model):
    """Every decision authority that has published something: the authority filter matches against these."""

    name = models.CharField("决定机关", max_length=200, unique=True)
    key = models.TextField("检索键")

    class Meta:
        verbose_name = "公示决定机关"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name
