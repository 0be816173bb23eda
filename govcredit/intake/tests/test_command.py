"""Point 1: ``govcredit import FILE --type 行政处罚 [--org CODE] [--dry-run]`` (management command ``import``)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from govcredit.archive.models import CreditRecord
from govcredit.intake.models import BatchSource, ImportBatch

from .conftest import csv_bytes, penalty, write


def test_import_command(city: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "cmd.csv", csv_bytes([penalty(i) for i in range(1, 6)] + [penalty(6, **{"行政相对人类别": "法人"})]))
    out, err = StringIO(), StringIO()
    call_command("import", str(path), "--type", "行政处罚", "--org", city.orgs["scjg"].credit_code, "--dry-run",
                 stdout=out, stderr=err)
    assert "试运行（未写入）：共 6 行：新增 5 条" in out.getvalue() and "错误报告：" in out.getvalue()
    assert not CreditRecord.objects.filter(decision_number__startswith="宁市监罚").exists()
    out = StringIO()
    call_command("import", str(path), "--type", "xzcf", "--org", city.orgs["scjg"].credit_code, stdout=out, stderr=err)
    assert "已完成：共 6 行：新增 5 条，更正 0 条，未变化 0 条，退回 1 行。" in out.getvalue()
    assert "归集" in err.getvalue()  # the tqdm progress bar
    batch = ImportBatch.objects.filter(dry_run=False).get()
    assert batch.source == BatchSource.CLI and batch.actor == "cli"
    assert CreditRecord.objects.filter(batch_id=batch.pk).count() == 5


def test_import_command_errors(city: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="没有信息类别“罚没”"):
        call_command("import", str(write(tmp_path, "a.csv", b"x")), "--type", "罚没", stdout=StringIO())
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import", str(tmp_path / "missing.csv"), "--type", "行政处罚", stdout=StringIO())
    out = StringIO()
    with pytest.raises(CommandError, match="已退回"):
        call_command("import", str(write(tmp_path, "e.csv", b"")), "--type", "行政处罚", stdout=out, stderr=StringIO())
    assert "文件为空" in out.getvalue()
