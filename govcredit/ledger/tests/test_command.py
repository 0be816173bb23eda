"""``govcredit verify-ledger`` / ``manage.py verify_ledger``: output, JSON and exit status."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from govcredit.testing import City, database_url

from .conftest import last_seq, sql

PROJECT = Path(__file__).resolve().parents[3]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_clean_ledger_passes(fresh_city: City) -> None:
    out, err = run()
    assert f"已核对留痕记录 {last_seq()} 条" in out
    assert "未发现问题" in out
    assert "校验留痕链" in err and "核对业务记录" in err and "100%" in err  # progress bars, on stderr


@pytest.mark.django_db
def test_findings_are_listed_in_chinese_and_the_command_fails(fresh_city: City) -> None:
    sql("UPDATE ledger_ledgerentry SET reason = '改' WHERE seq = 3")
    sql("UPDATE archive_creditrecord SET facts = '改' WHERE id = %s", [fresh_city.records["newest_penalty"].pk])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="发现 2 个问题") as failure:
        call_command("verify_ledger", "--no-progress", stdout=out, stderr=err)
    assert failure.value.returncode == 1
    text = out.getvalue()
    assert "发现 2 个问题（留痕被篡改 1 处，记录被篡改 1 处）" in text
    assert "[留痕被篡改] 留痕记录 #3 的内容与其哈希不符" in text
    assert f"[记录被篡改] 信用记录（archive.CreditRecord）#{fresh_city.records['newest_penalty'].pk} 的内容" in text
    assert err.getvalue() == ""  # no progress bar asked for


@pytest.mark.django_db
def test_json_report(fresh_city: City) -> None:
    doc = json.loads(run("--json", "--no-progress")[0])
    assert doc == {"ok": True, "entries": last_seq(), "records": doc["records"], "findings": []}
    sql("DELETE FROM ledger_ledgerentry WHERE seq = 4")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_ledger", "--json", "--no-progress", stdout=out, stderr=io.StringIO())
    doc = json.loads(out.getvalue())
    assert doc["ok"] is False
    assert doc["findings"][0] == {"kind": "entry_deleted", "message": "留痕记录 #4 缺失（被删除）", "seq": 4, "entity": None}




def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "govcredit.settings"}
    return subprocess.run([sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.django_db(transaction=True)
def test_exit_status_from_the_command_line(fresh_city: City) -> None:
    """Run as an operator (or cron) would: 0 when intact, 1 when anything was found."""
    clean = run_process("manage.py", "verify_ledger")
    assert clean.returncode == 0, clean.stderr
    assert "未发现问题" in clean.stdout and "校验留痕链" in clean.stderr

    sql("UPDATE ledger_ledgerentry SET actor = 'intruder' WHERE seq = 2")
    sql("DELETE FROM archive_creditrecord WHERE id = %s", [fresh_city.records["newest_penalty"].pk])
    tampered = run_process("-m", "govcredit.cli", "verify-ledger", "--json", "--no-progress")
    assert tampered.returncode == 1
    doc = json.loads(tampered.stdout)
    assert [(f["kind"], f["seq"], f["entity"]) for f in doc["findings"]] == [
        ("entry_altered", 2, None), ("record_deleted", None, f"archive.creditrecord:{fresh_city.records['newest_penalty'].pk}")]
    assert "留痕校验未通过" in tampered.stderr
