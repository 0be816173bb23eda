"""Point 4: batches, idempotent re-submission, corrections through the ledger, batch modes, dry runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govcredit.archive.models import CreditRecord, RecordStatus
from govcredit.archive.services import change_status
from govcredit.catalog.models import RecordType
from govcredit.catalog.services import VERSION_KEYS, publish_version
from govcredit.intake.models import BatchSource, BatchStatus
from govcredit.intake.services import submit_file
from govcredit.ledger.models import LedgerEntry
from govcredit.ledger.services import history
from govcredit.ledger.verification import verify

from .conftest import csv_bytes, penalty, run_file, write


def test_batch_records_who_what_and_counts(city: Any, tmp_path: Path) -> None:
    rows = [penalty(i) for i in range(1, 8)] + [penalty(8, **{"处罚决定日期": "明天"})]
    path = write(tmp_path, "p.csv", csv_bytes(rows))
    batch = run_file(city, path)
    assert batch.status == BatchStatus.DONE
    assert (batch.accepted, batch.updated, batch.unchanged, batch.rejected) == (7, 0, 0, 1)
    assert batch.org == city.orgs["scjg"] and batch.actor == "tester" and batch.source == BatchSource.CLI
    assert batch.record_type.name == "行政处罚" and batch.type_version.version == 1
    assert batch.file_name == "p.csv" and len(batch.sha256) == 64 and batch.size == path.stat().st_size
    assert batch.created_at and batch.finished_at and not batch.dry_run
    assert batch.error_report.endswith(".xlsx") and Path(batch.error_report).exists()
    assert batch.message == "共 8 行：新增 7 条，更正 0 条，未变化 0 条，退回 1 行。"
    assert set(CreditRecord.objects.filter(batch_id=batch.pk).values_list("issuing_org", flat=True)) == {city.orgs["scjg"].pk}


def test_same_file_again_changes_nothing(city: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", csv_bytes([penalty(i) for i in range(1, 21)]))
    first = run_file(city, path)
    records, entries = CreditRecord.objects.count(), LedgerEntry.objects.count()
    second = run_file(city, path)
    assert second.pk != first.pk and second.status == BatchStatus.DONE
    assert (second.accepted, second.updated, second.unchanged, second.rejected) == (0, 0, 20, 0)
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == (records, entries)
    # The same rows in another file format and order are the same records too.
    reordered = write(tmp_path, "r.csv", csv_bytes([penalty(i) for i in range(20, 0, -1)], encoding="gb18030"))
    third = run_file(city, reordered)
    assert (third.accepted, third.updated, third.unchanged) == (0, 0, 20)


def test_corrected_row_updates_its_record_through_the_ledger(city: Any, tmp_path: Path) -> None:
    run_file(city, write(tmp_path, "a.csv", csv_bytes([penalty(i) for i in range(1, 6)])))
    target = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕2号")
    natural = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕4号")  # 自然人: matched by name
    assert natural.counterparty_kind == "自然人"
    fixed = [penalty(i) for i in range(1, 6)]
    fixed[1]["处罚内容"] = "罚款人民币一万元"
    fixed[1]["罚款金额(万元)"] = "1"
    fixed[1]["行政相对人名称"] = "南京某某贸易有限公司（更名）"  # matched by code, the name is corrected
    fixed[3]["违法事实"] = "更正后的违法事实"
    batch = run_file(city, write(tmp_path, "b.csv", csv_bytes(fixed)))
    assert (batch.accepted, batch.updated, batch.unchanged, batch.rejected) == (0, 2, 3, 0), batch.message
    target.refresh_from_db()
    assert target.result == "罚款人民币一万元" and target.amount is not None and str(target.amount.normalize()) == "1"
    assert target.counterparty_name == "南京某某贸易有限公司（更名）" and target.batch_id == batch.pk
    entry = history(target).order_by("-seq").first()
    assert entry is not None and entry.action == "record.correct" and entry.reason == f"归集批次 #{batch.pk} 更正"
    natural.refresh_from_db()
    assert natural.facts == "更正后的违法事实"
    assert CreditRecord.objects.filter(decision_number__startswith="宁市监罚〔2025〕").count() == 5
    report = verify()
    assert report.ok, [f.message for f in report.findings]


def test_revoked_record_is_not_corrected(city: Any, tmp_path: Path) -> None:
    run_file(city, write(tmp_path, "a.csv", csv_bytes([penalty(1)])))
    record = CreditRecord.objects.get(decision_number="宁市监罚〔2025〕1号")
    change_status(record, RecordStatus.REVOKED, actor="credit", reason="行政复议撤销")
    batch = run_file(city, write(tmp_path, "b.csv", csv_bytes([penalty(1, **{"处罚内容": "改了"})])))
    assert batch.rejected == 1 and batch.updated == 0
    reason = batch.chunks.get().rejected_rows[0][2]
    assert reason == "该记录状态为“已撤销”，不能通过归集更正"


def test_duplicates_within_the_file(city: Any, tmp_path: Path) -> None:
    rows = [penalty(i) for i in range(1, 6)] + [penalty(2, **{"处罚内容": "重复"}), penalty(4)]
    batch = run_file(city, write(tmp_path, "d.csv", csv_bytes(rows)), chunk_size=3)  # across chunks too
    assert (batch.accepted, batch.rejected) == (5, 2)
    reasons = {r[0]: r[2] for c in batch.chunks.all() for r in c.rejected_rows}
    assert reasons == {7: "与第 3 行的决定文书号和行政相对人相同（文件内重复）",
                       8: "与第 5 行的决定文书号和行政相对人相同（文件内重复）"}


def test_all_or_nothing_mode(city: Any, tmp_path: Path) -> None:
    rtype = RecordType.objects.get(name="行政处罚")
    current = rtype.current()
    publish_version(rtype, {**{k: getattr(current, k) for k in VERSION_KEYS}, "batch_mode": "all_or_nothing"},
                    actor="credit", reason="整批模式")
    before = CreditRecord.objects.count(), LedgerEntry.objects.count()
    rows = [penalty(i) for i in range(1, 10)] + [penalty(10, **{"行政相对人类别": "法人"})]
    batch = run_file(city, write(tmp_path, "all.csv", csv_bytes(rows)), chunk_size=4)
    assert batch.status == BatchStatus.RETURNED and batch.batch_mode == "all_or_nothing"
    assert "整批退回" in batch.message and batch.rejected == 1 and batch.accepted == 0
    assert Path(batch.error_report).exists()
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == before
    good = run_file(city, write(tmp_path, "good.csv", csv_bytes(rows[:9])), chunk_size=4)
    assert good.status == BatchStatus.DONE and good.accepted == 9
    assert good.type_version.version == 2


def test_dry_run_writes_nothing(city: Any, tmp_path: Path) -> None:
    before = CreditRecord.objects.count(), LedgerEntry.objects.count()
    rows = [penalty(i) for i in range(1, 6)] + [penalty(6, **{"处罚类别": "训诫"})]
    batch = run_file(city, write(tmp_path, "dry.csv", csv_bytes(rows)), dry_run=True)
    assert batch.status == BatchStatus.DONE and batch.dry_run
    assert (batch.accepted, batch.rejected) == (5, 1) and batch.message.startswith("试运行（未写入）")
    assert (CreditRecord.objects.count(), LedgerEntry.objects.count()) == before


def test_unfinished_batch_of_the_same_file_is_continued(city: Any, tmp_path: Path) -> None:
    rtype = RecordType.objects.get(name="行政处罚")
    path = write(tmp_path, "c.csv", csv_bytes([penalty(1)]))
    batch, resumed = submit_file(path, record_type=rtype, org=city.orgs["scjg"], actor="a")
    again, resumed = submit_file(path, record_type=rtype, org=city.orgs["scjg"], actor="a")
    assert resumed and again.pk == batch.pk
    other, resumed = submit_file(path, record_type=rtype, org=city.orgs["xuanwu"], actor="a")
    assert not resumed and other.pk != batch.pk


def test_record_entered_on_the_page_is_unchanged_when_submitted_again(city: Any, tmp_path: Path) -> None:
    from govcredit.testing import COUNTERPARTY_ID

    row = {"行政相对人名称": "张三丰", "行政相对人类别": "自然人", "证件类型": "身份证", "证件号码": COUNTERPARTY_ID,
           "行政处罚决定书文号": "秦市监罚〔2025〕12号", "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营活动",
           "处罚依据": "《无证无照经营查处办法》第十三条", "处罚类别": "罚款", "处罚内容": "罚款人民币五千元",
           "罚款金额（万元）": "0.5", "处罚决定日期": "2025-06-01", "处罚机关": "南京市秦淮区市场监督管理局",
           "处罚机关统一社会信用代码": city.orgs["qinhuai"].credit_code, "严重程度": "一般"}
    batch = run_file(city, write(tmp_path, "same.csv", csv_bytes([row], list(row))), org="qinhuai")
    assert (batch.accepted, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 1, 0), batch.message
    changed = run_file(city, write(tmp_path, "changed.csv", csv_bytes([{**row, "严重程度": "严重"}], list(row))),
                       org="qinhuai")
    assert changed.updated == 1
    record = city.records["qinhuai_penalty"]
    record.refresh_from_db()
    assert record.severity == "严重" and record.counterparty_id_masked == city.records["qinhuai_penalty"].counterparty_id_masked
    assert verify().ok
