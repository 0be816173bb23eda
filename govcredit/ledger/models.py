"""The hash-chained ledger (留痕) and the guard that makes ledgered models refuse direct writes."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.signals import class_prepared, pre_delete

from . import events

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_writing = contextvars.ContextVar("ledger_writing", default=False)


class LedgerBypassError(RuntimeError):
    """A ledgered model was changed without going through the ledger services."""

    def __init__(self, model: str) -> None:
        super().__init__(f"{model} 只能通过留痕服务（ledger.services）修改，不能直接写入数据库。")


@contextmanager
def ledger_writing() -> Iterator[None]:
    """Allow writes to ledgered models; used only inside ledger services."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def _guard(model: type[models.Model]) -> None:
    if not _writing.get():
        raise LedgerBypassError(model._meta.label)


M = TypeVar("M", bound=models.Model)


class LedgeredQuerySet(models.QuerySet[M]):
    """Bulk writes are refused unless the ledger services are doing them."""

    def update(self, **kwargs: Any) -> int:
        _guard(self.model)
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerBypassError(self.model._meta.label)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        _guard(self.model)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        _guard(self.model)
        return super().bulk_update(objs, *args, **kwargs)


class LedgeredModel(models.Model):
    """A model whose every create and change is a ledger entry, and which is never deleted."""

    objects = LedgeredQuerySet.as_manager()
    #: Columns left out of the state digest (a value that changes without being a decision, e.g. a last-login time).
    ledger_unhashed: ClassVar[frozenset[str]] = frozenset()
    #: Columns whose values never go into an entry's changed values (ciphers, blind indexes, password hashes):
    #: the entry says only that they changed.
    ledger_hidden: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _guard(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerBypassError(self._meta.label)


def _refuse_delete(sender: type[models.Model], **kwargs: Any) -> None:
    raise LedgerBypassError(sender._meta.label)


def _seal(sender: type[models.Model], **kwargs: Any) -> None:
    """Close the side doors of a ledgered model as soon as it is defined.

    Its base manager (``Model._base_manager``, used by Django internally and reachable from any code)
    becomes the guarded one, and a delete cascading from another model's row is refused like a direct one.
    """
    if issubclass(sender, LedgeredModel):
        if not sender._meta.base_manager_name:
            sender._meta.base_manager_name = "objects"
        pre_delete.connect(_refuse_delete, sender=sender, weak=False, dispatch_uid=f"ledger:{sender._meta.label}")


class_prepared.connect(_seal, weak=False, dispatch_uid="ledger:seal")


class LedgerHead(models.Model):
    """One row holding the chain's tip; locked while appending so appends are serialised."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "账本链头"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"#{self.seq} {self.entry_hash[:12]}"


class LedgerEntry(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    ts = models.BigIntegerField("时间（微秒）", help_text="UTC 纪元以来的微秒数；哈希覆盖的正是这个整数")
    actor = models.CharField("操作人", max_length=150)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作用户", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField("动作", max_length=40)
    entity_type = models.CharField("对象类型", max_length=60)
    entity_id = models.BigIntegerField("对象编号", null=True)
    reason = models.TextField("理由", blank=True)
    state_digest = models.CharField("新状态摘要", max_length=64)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)
    changes = models.TextField("变更内容", blank=True, default="",
                               help_text="变更字段的旧值和新值：规范 JSON {字段: [旧值, 新值]}，不显示的字段为 null")

    class Meta:
        verbose_name = "留痕记录"
        verbose_name_plural = verbose_name
        ordering = ["seq"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "seq"], name="ledger_entity_idx"),
                   models.Index(fields=["actor_user", "seq"], name="ledger_actor_user_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.entity_type}:{self.entity_id}"

    @property
    def created_at(self) -> dt.datetime:
        return EPOCH + dt.timedelta(microseconds=self.ts)

    @property
    def action_label(self) -> str:
        """The action as people read it (the registered event type's label, ``ledger.events``)."""
        return events.label(self.action)

    @property
    def changed_values(self) -> dict[str, Any]:
        """attname → [old, new] canonical values, or None for a column whose values are not shown."""
        return dict(json.loads(self.changes)) if self.changes else {}
