#!/usr/bin/env python
"""Public portal benchmark: search and detail pages at millions of publications, over HTTP and in psql.

    .venv/bin/python benchmarks/portal.py [--rows 5000000] [--duration 30] [--connections 50] [--workers 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govcredit_portal_bench .venv/bin/python benchmarks/portal.py --rows 100000

1. A fresh PostgreSQL database (``DATABASE_URL``, default ``.../govcredit_portal_bench``; it is dropped
   and created, so its name must contain "bench"), migrated.
2. ``--rows`` publications loaded FAST, BYPASSING THE SERVICES: catalog and issuing organisations go
   through the services, but the credit records, publications, search keys and bigram postings are
   generated here and written with COPY (secondary indexes and the bigram primary key dropped during
   the load and rebuilt after, foreign-key triggers off for the loading session). No ledger entries
   are written for these rows, so ``verify`` would report them. The rows look like the portal's
   data: companies (南京市玄武区鑫达餐饮管理有限公司), individual businesses, natural persons
   (masked: 王*明), 行政处罚 and 行政许可 of ~60 authorities, 2 % under objection.
3. gunicorn with the production entry point on loopback (``gunicorn govcredit.wsgi -w 4``,
   GOVCREDIT_DEBUG=0, persistent DB connections) and the portal's rate limits switched off
   (GOVCREDIT_PORTAL_RATE=0, GOVCREDIT_PORTAL_DETAIL_RATE=0) so that the limiter does not throttle
   the load generator.
4. ``wrk`` (another process) at ``--connections`` for ``--duration`` seconds per scenario, a Lua
   script picking each request at random from 2- and 3-character substrings of real names in the
   database (search) or from all publication ids (detail); then the JSON API the same way.
5. The same search statements the portal runs (its page and count statements, from
   ``search.search_sql``) and the detail statement, run in ``psql`` with EXPLAIN ANALYZE, and the
   search function timed in-process: database time, application time, HTTP time side by side.

6. Search again with the portal's answer cache switched off (``GOVCREDIT_PORTAL_CACHE_SECONDS=0``):
   with it on (the default, see ``disclosure/answers.py``) a query repeated while the ledger's head
   is unchanged is answered from memory, and the wrk scenario repeats its ~1,000 queries; the
   cache-off line is what every first-time query costs.

Goals: search p95 ≤ 50 ms and ≥ 500 requests/s; detail p95 ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from govcredit.core import clock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/govcredit_portal_bench"
VENV_BIN = ROOT / ".venv" / "bin"

DISTRICTS = [("玄武", "320102"), ("秦淮", "320104"), ("建邺", "320105"), ("鼓楼", "320106"), ("浦口", "320111"),
             ("栖霞", "320113"), ("雨花台", "320114"), ("江宁", "320115"), ("六合", "320116"), ("溧水", "320117"),
             ("高淳", "320118")]
BUREAUS = [("市场监督管理局", "市监罚", "市监许"), ("城市管理局", "城管罚", "城管许"), ("生态环境局", "环罚", "环许"),
           ("应急管理局", "应急罚", "应急许"), ("卫生健康委员会", "卫罚", "卫许")]
CITY_BUREAUS = [("南京市市场监督管理局", "宁市监罚", "宁市监许"), ("南京市交通运输局", "宁交罚", "宁交许"),
                ("南京市住房和城乡建设局", "宁建罚", "宁建许"), ("南京市文化和旅游局", "宁文旅罚", "宁文旅许"),
                ("南京市数据局", "宁数罚", "宁数许")]
TRADE = ("鑫达恒泰华盛丰源宏伟金辉天誉嘉润博瑞中科新创亿联安信永成德隆汇通长江金陵紫金钟山明珠海峰俊杰佳禾众诚同仁"
         "正广元和顺祥云凯旋锦程志远星辰夏东方西南北月清风碧水蓝绿野青红日阳光春晓秋实冬暖凉茂森林木火土石泉溪河湖"
         "江山川峰岭岩松柏桂兰梅竹菊荷莲桃李杏枫樱宝玉珍珠翠晶琪瑶琳璐瑾瑜璞瑛玮玲环珑鼎鸿鹏鹤凤龙麒麟虎豹狮象骏驰"
         "腾飞翔跃升昌盛兴旺发富贵荣耀辉煌灿烂美好优良精品尚雅致远卓越非凡超群领先创意智慧聪颖灵动活力动感时代世纪"
         "未来先锋前沿开拓进取奋发图强勇敢坚定忠诚信义仁爱礼智勤俭朴实诚恳谦和温良恭让")
INDUSTRIES = ["餐饮管理", "建筑工程", "商贸", "科技", "物流", "食品", "医药", "房地产开发", "装饰工程", "信息技术",
              "环保科技", "文化传媒", "教育咨询", "物业管理", "汽车服务", "劳务派遣", "农业发展", "电子商务", "机械设备",
              "化工", "服装", "家具", "酒店管理", "旅游开发", "广告", "印刷", "电器", "建材", "贸易", "投资管理",
              "网络科技", "生物科技", "医疗器械", "体育发展", "健康管理", "人力资源", "交通运输", "仓储", "水务", "能源"]
SUFFIXES = ["有限公司"] * 14 + ["有限责任公司"] * 3 + ["股份有限公司"]
SHOPS = ["面馆", "小吃店", "便利店", "理发店", "超市", "水果店", "五金店", "烟酒店", "服装店", "餐馆", "快餐店", "茶社",
         "烧烤店", "药房", "美容店", "洗车店", "维修部", "商行", "经营部", "食品店"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
            "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌林鑫宇浩然子涵欣怡梓轩雨泽佳琪"
FACTS = ["未按规定公示年度报告，经责令限期改正仍未改正。", "使用超过保质期的食品原料生产食品。",
         "未取得食品经营许可从事食品经营活动。", "销售不符合安全标准的产品，货值金额人民币三万元。",
         "在建设工程施工中未采取扬尘防治措施。", "未按规定开展安全生产教育和培训。"]
LICENCE_BASIS, PENALTY_BASIS = "《中华人民共和国行政许可法》", "《中华人民共和国行政处罚法》第二十八条"
LICENCE_DATA = json.dumps({"license_kind": "普通", "current_status": "有效"}, ensure_ascii=False)
PENALTY_DATA = json.dumps({"violation_type": "信息公示", "penalty_kinds": ["罚款"]}, ensure_ascii=False)
LICENCE_CONTENT = ["食品经营许可", "建设工程规划许可", "排污许可", "道路运输经营许可", "公共场所卫生许可"]


# --------------------------------------------------------------------------- database lifecycle


def _admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), autocommit=True)


def _libpq(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def fresh_database(url: str, force: bool) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"数据库名“{name}”不合法")
    if "bench" not in name and not force:
        raise SystemExit(f"为防误删，基准库名必须含 bench（实为“{name}”），或加 --force")
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    return name


def drop_database(url: str, name: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- data


def _esc(value: Any) -> str:
    """A value in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Generator:
    """Deterministic rows: the i-th publication is the same in every run with the same seed."""

    def __init__(self, seed: int, today: dt.date) -> None:
        from govcredit.subjects.identifiers import credit_code_check_char, mask_name

        self.rng = random.Random(seed)
        self.today = today
        self.mask_name = mask_name
        self.check = credit_code_check_char
        # A pool of valid codes: computing a check character per row would dominate the load time.
        self.codes = {prefix: [self._new_code(prefix, region) for region in (r for _, r in DISTRICTS) for _ in range(2000)]
                      for prefix in ("91", "92")}
        self.authorities: list[tuple[str, str, str]] = list(CITY_BUREAUS)
        for district, _ in DISTRICTS:
            for bureau, pen, lic in BUREAUS:
                self.authorities.append((f"南京市{district}区{bureau}", f"{district[0]}{pen}", f"{district[0]}{lic}"))

    def name(self) -> tuple[str, str, str, str, str]:
        """(public name, name in the archive, kind, credit code, legal representative)."""
        r = self.rng
        roll = r.random()
        district, region = r.choice(DISTRICTS)
        rep = r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        if roll < 0.75:
            trade = r.choice(TRADE) + r.choice(TRADE)
            place = r.random()
            prefix = f"南京市{district}区" if place < 0.35 else "南京" if place < 0.7 else f"江苏{district}" if place < 0.8 else ""
            name = f"{prefix}{trade}{r.choice(INDUSTRIES)}{r.choice(SUFFIXES)}"
            return name, name, "法人及非法人组织", r.choice(self.codes["91"]), rep
        if roll < 0.87:
            shop = f"{district}区{r.choice(TRADE)}{r.choice(TRADE)}{r.choice(SHOPS)}" if r.random() < 0.6 \
                else f"{rep[0]}记{r.choice(SHOPS)}"
            return shop, shop, "个体工商户", r.choice(self.codes["92"]), rep
        full = rep
        return self.mask_name(full), full, "自然人", "", ""

    def _new_code(self, prefix: str, region: str) -> str:
        body = prefix + region + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + self.check(body)


# --------------------------------------------------------------------------- loading


class Loader:
    """COPY generated rows into the archive, the publications and the search index."""

    def __init__(self, url: str, rows: int, seed: int) -> None:
        self.url, self.rows, self.seed = url, rows, seed

    def run(self) -> dict[str, Any]:
        import psycopg

        from govcredit.archive.models import CreditRecord
        from govcredit.catalog.models import RecordType
        from govcredit.catalog.services import load_catalog
        from govcredit.disclosure.models import (
            GramCount,
            Publication,
            PublicationGram,
            PublicationSearchKey,
            PublicAuthority,
        )
        from govcredit.disclosure.search import TOTAL, fold, gram_codes, name_key
        from govcredit.subjects.identifiers import make_credit_code
        from govcredit.subjects.services import register_organization

        load_catalog(actor="bench")
        city = register_organization(name="南京市人民政府", credit_code=make_credit_code("11", "320100", "000000001"),
                                     org_type="机关", region_code="320100", parent=None, actor="bench")
        xzcf, xzxk = (RecordType.objects.get(code=c) for c in ("xzcf", "xzxk"))
        versions = {"xzcf": xzcf.current(), "xzxk": xzxk.current()}
        today = clock.today()
        now = clock.now()
        gen = Generator(self.seed, today)

        tables = {m: m._meta.db_table for m in (CreditRecord, Publication, PublicationSearchKey, PublicationGram)}
        record_cols = [f.column for f in CreditRecord._meta.concrete_fields]
        pub_cols = [f.column for f in Publication._meta.concrete_fields]
        record_defaults = {f.column: _esc(f.get_default() if f.has_default() else ("" if f.empty_strings_allowed
                                                                                   and not f.null else None))
                           for f in CreditRecord._meta.concrete_fields}
        pub_defaults = {f.column: _esc(f.get_default() if f.has_default() else None)
                        for f in Publication._meta.concrete_fields}

        rec_ix = {c: n for n, c in enumerate(record_cols)}
        pub_ix = {c: n for n, c in enumerate(pub_cols)}
        rec_base = [record_defaults[c] for c in record_cols]
        pub_base = [pub_defaults[c] for c in pub_cols]
        city_id = str(city.pk)
        t0 = time.perf_counter()
        with psycopg.connect(_libpq(self.url)) as conn:
            conn.execute("SET session_replication_role = replica")  # no FK triggers while loading (superuser)
            conn.execute("SET maintenance_work_mem = '1GB'")
            saved = self._drop_indexes(conn, list(tables.values()))
            conn.commit()
            stamp = now.isoformat()
            chunk = 50_000
            authorities: dict[str, str] = {}
            for start in range(0, self.rows, chunk):
                rec_lines: list[str] = []
                pub_lines: list[str] = []
                key_lines: list[str] = []
                gram_lines: list[str] = []
                for i in range(start + 1, min(self.rows, start + chunk) + 1):
                    public, archived, kind, ccode, rep = gen.name()
                    r = gen.rng
                    auth, pen_abbr, lic_abbr = r.choice(gen.authorities)
                    if auth not in authorities:
                        authorities[auth] = fold(auth)
                    licence = r.random() < 0.25
                    decided = today - dt.timedelta(days=r.randrange(0, 365))
                    until = decided + dt.timedelta(days=365 * (3 if licence else r.choice((1, 1, 1, 3))))
                    number = f"{lic_abbr if licence else pen_abbr}〔{decided.year}〕{i}号"
                    version = versions["xzxk" if licence else "xzcf"]
                    status = "异议中" if r.random() < 0.02 else "有效"
                    decided_s, until_s = decided.isoformat(), until.isoformat()
                    vals = list(rec_base)
                    for col, value in (
                        ("id", str(i)), ("record_type_id", str(version.record_type_id)),
                        ("type_version_id", str(version.pk)), ("issuing_org_id", city_id),
                        ("counterparty_name", archived), ("counterparty_kind", kind), ("counterparty_code", ccode),
                        ("legal_representative", rep), ("decision_number", number), ("decision_date", decided_s),
                        ("authority_name", auth), ("facts", "" if licence else r.choice(FACTS)),
                        ("legal_basis", LICENCE_BASIS if licence else PENALTY_BASIS),
                        ("result", r.choice(LICENCE_CONTENT) if licence else "罚款人民币五千元"),
                        ("amount", "\\N" if licence else "0.5"), ("severity", "一般"),
                        ("data", LICENCE_DATA if licence else PENALTY_DATA), ("status", status),
                        ("publicity_start", decided_s), ("publicity_end", until_s), ("batch_id", "\\N"),
                        ("created_at", stamp), ("updated_at", stamp),
                    ):
                        vals[rec_ix[col]] = value
                    rec_lines.append("\t".join(vals))
                    pvals = list(pub_base)
                    for col, value in (
                        ("id", str(i)), ("record_id", str(i)), ("published_at", stamp), ("visible_until", until_s),
                        ("is_public", "t"), ("unpublished_at", "\\N"), ("unpublish_reason", ""), ("public_note", ""),
                        ("public_name", public), ("credit_code", ccode), ("decision_number", number),
                        ("authority_name", auth), ("type_name", "行政许可" if licence else "行政处罚"),
                        ("decision_date", decided_s),
                    ):
                        pvals[pub_ix[col]] = value
                    pub_lines.append("\t".join(pvals))
                    key = name_key(public)
                    key_lines.append(f"{i}\t{_esc(key)}\t{_esc(fold(number))}")
                    gram_lines.extend(f"{g}\t{i}" for g in gram_codes(key))
                with conn.cursor() as cur:
                    for table, cols, lines in (
                        (tables[CreditRecord], record_cols, rec_lines), (tables[Publication], pub_cols, pub_lines),
                        (tables[PublicationSearchKey], ["publication_id", "name_key", "number_key"], key_lines),
                        (tables[PublicationGram], ["gram", "publication_id"], gram_lines),
                    ):
                        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                            copy.write("\n".join(lines) + "\n")
                conn.commit()
                done = min(self.rows, start + chunk)
                if done % 500_000 == 0 or done == self.rows:
                    rate = done / (time.perf_counter() - t0)
                    print(f"  已写入 {done:,} 条公示（{rate:,.0f} 条/秒）", file=sys.stderr, flush=True)
            t_copy = time.perf_counter() - t0
            with conn.cursor() as cur:
                cur.execute(f"INSERT INTO {GramCount._meta.db_table} (gram, n) "
                            f"SELECT gram, count(*) FROM {tables[PublicationGram]} GROUP BY gram")
                cur.execute(f"INSERT INTO {GramCount._meta.db_table} (gram, n) VALUES (%s, %s)", (TOTAL, self.rows))
                with cur.copy(f"COPY {PublicAuthority._meta.db_table} (name, key) FROM STDIN") as copy:
                    for name, key in sorted(authorities.items()):
                        copy.write_row((name, key))
            conn.commit()
            t1 = time.perf_counter()
            self._restore_indexes(conn, saved)
            for table in (tables[CreditRecord], tables[Publication]):  # the application may add rows after us
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            conn.commit()
            t_index = time.perf_counter() - t1
        t2 = time.perf_counter()
        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        t_vacuum = time.perf_counter() - t2
        return {"copy_s": t_copy, "index_s": t_index, "vacuum_s": t_vacuum, "authorities": len(authorities)}

    @staticmethod
    def _drop_indexes(conn: Any, tables: list[str]) -> list[str]:
        """Drop secondary indexes and the bigram primary key; return the statements that recreate them."""
        restore: list[str] = []
        with conn.cursor() as cur:
            for table in tables:
                cur.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                               WHERE i.tablename = %s AND NOT EXISTS (
                                 SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", (table,))
                for name, definition in cur.fetchall():
                    cur.execute(f'DROP INDEX "{name}"')
                    restore.append(definition)
            cur.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = 'disclosure_publicationgram'::regclass AND contype = 'p'""")
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE disclosure_publicationgram DROP CONSTRAINT "{name}"')
                restore.insert(0, f'ALTER TABLE disclosure_publicationgram ADD CONSTRAINT "{name}" {definition}')
        return restore

    @staticmethod
    def _restore_indexes(conn: Any, statements: list[str]) -> None:
        for statement in statements:
            t0 = time.perf_counter()
            conn.execute(statement)
            conn.commit()
            print(f"  {time.perf_counter() - t0:6.1f} s  {statement[:110]}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring


def sample_queries(count: int, seed: int) -> list[str]:
    """2- and 3-character substrings of the public names of random publications."""
    from django.db import connection

    from govcredit.disclosure.models import Publication

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(id) FROM {Publication._meta.db_table}")
        top = int(cur.fetchone()[0])
    ids = [rng.randint(1, top) for _ in range(count)]
    names = dict(Publication.objects.filter(pk__in=ids).values_list("pk", "public_name"))
    queries = []
    for pid in ids:
        name = names.get(pid, "")
        size = rng.choice((2, 3))
        if len(name) >= size:
            start = rng.randrange(0, len(name) - size + 1)
            queries.append(name[start:start + size])
    return queries


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def in_process(queries: list[str]) -> dict[str, float]:
    """run_search (the portal's search: statements, ORM, masking) timed in this process, no HTTP."""
    from govcredit.disclosure.search import parse_criteria, run_search

    for q in queries[:50]:  # warm the caches
        run_search(parse_criteria({"q": q}))
    times = []
    for q in queries:
        t0 = time.perf_counter()
        run_search(parse_criteria({"q": q}))
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99), "n": len(times)}


def psql_timings(url: str, queries: list[str], detail_ids: list[int], tmp: Path) -> dict[str, Any]:
    """EXPLAIN ANALYZE, in psql, of the statements the portal runs for these searches and detail pages."""
    import psycopg

    from govcredit.disclosure.models import Publication
    from govcredit.disclosure.search import parse_criteria, search_sql

    today = clock.today()
    lines = ["\\set ON_ERROR_STOP 1"]
    groups: list[tuple[str, str]] = []  # (kind, label)
    plans: dict[str, str] = {}
    with psycopg.ClientCursor(psycopg.connect(_libpq(url))) as cc:
        for q in queries:
            statement = search_sql(parse_criteria({"q": q}), today)
            if statement is None:
                continue
            sql = cc.mogrify(*statement)
            plans.setdefault(f"{len(q)}字“{q}”", sql)
            lines.append(f"EXPLAIN (ANALYZE, TIMING OFF) {sql};")
            groups.append(("search", q))
        for pk in detail_ids:
            qs = (Publication.objects.select_related("record", "record__type_version", "record__subject_person")
                  .filter(pk=pk, is_public=True, visible_until__gte=today)[:1])
            sql, params = qs.query.sql_with_params()
            lines.append(f"EXPLAIN (ANALYZE, TIMING OFF) {cc.mogrify(sql, params)};")
            groups.append(("detail", str(pk)))
        cc.connection.close()
    script = tmp / "portal_bench.sql"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(["psql", "-X", "-q", "-d", _libpq(url), "-f", str(script)], capture_output=True, text=True,
                         check=True).stdout
    times = [float(x) for x in re.findall(r"Execution Time: ([\d.]+) ms", out)]
    result: dict[str, list[float]] = {"search": [], "detail": []}
    slowest = sorted(((t, label) for (kind, label), t in zip(groups, times, strict=True) if kind == "search"),
                     reverse=True)[:5]
    for (kind, _), t in zip(groups, times, strict=True):
        result[kind].append(t)
    examples = {}
    with psycopg.connect(_libpq(url)) as conn:
        for label, sql in list(plans.items())[:2]:
            rows = conn.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}").fetchall()
            examples[label] = "\n".join(r[0] for r in rows)
    return {k: {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99), "n": len(v)} for k, v in result.items()} | {
        "plans": examples, "slowest": slowest}


LUA = r"""
local paths = {%s}
local n = #paths
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
init = function(args)
  math.randomseed(tid * 7919 + os.time())
end
request = function()
  return wrk.format("GET", paths[math.random(n)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%%d duration_us=%%d status_errors=%%d socket_errors=%%d p50=%%d p95=%%d p99=%%d max=%%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def run_wrk(base: str, paths: list[str], duration: int, connections: int, tmp: Path, name: str,
            meter: CpuMeter | None = None) -> dict[str, float]:
    import resource

    script = tmp / f"{name}.lua"
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
    if meter:
        meter.start()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          base], capture_output=True, text=True, check=True).stdout
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = meter.stop() if meter else {}
    match = re.search(r"RESULT (.*)", out)
    if not match:
        raise RuntimeError(f"wrk 输出无法解析：{out}")
    fields = dict(kv.split("=") for kv in match.group(1).split())
    requests, seconds = int(fields["requests"]), int(fields["duration_us"]) / 1e6
    wrk_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    per = max(requests, 1)
    result = {"rps": requests / seconds, "requests": requests, "errors": int(fields["status_errors"]) +
              int(fields["socket_errors"]), "p50": int(fields["p50"]) / 1000, "p95": int(fields["p95"]) / 1000,
              "p99": int(fields["p99"]) / 1000, "max": int(fields["max"]) / 1000}
    if cpu:
        ours = cpu["app"] + cpu["db"] + wrk_cpu
        result.update(app_ms=cpu["app"] * 1000 / per, db_ms=cpu["db"] * 1000 / per, wrk_ms=wrk_cpu * 1000 / per,
                      others=max(0.0, cpu["machine_busy"] - ours) / max(cpu["machine_total"], 1e-9))
    return result


TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _processes(match: Any) -> dict[int, float]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if match(int(entry.name), ppid, cmdline):
                out[int(entry.name)] = _proc_cpu(int(entry.name))
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / TICK, sum(parts) / TICK


class CpuMeter:
    """CPU seconds used by gunicorn (master and workers), the bench database's PostgreSQL backends and
    the whole machine between ``start`` and ``stop``: the cost of a request independent of what else runs."""

    def __init__(self, gunicorn_pid: int, dbname: str) -> None:
        self.match_app = lambda pid, ppid, cmd: pid == gunicorn_pid or ppid == gunicorn_pid
        self.match_db = lambda pid, ppid, cmd: cmd.startswith("postgres: ") and f" {dbname} " in cmd

    def start(self) -> None:
        self.app0, self.db0 = _processes(self.match_app), _processes(self.match_db)
        self.busy0 = _machine_busy()

    def stop(self) -> dict[str, float]:
        app1, db1 = _processes(self.match_app), _processes(self.match_db)
        busy1 = _machine_busy()
        app = sum(v - self.app0.get(k, 0.0) for k, v in app1.items())
        db = sum(v - self.db0.get(k, 0.0) for k, v in db1.items())
        return {"app": app, "db": db, "machine_busy": busy1[0] - self.busy0[0], "machine_total": busy1[1] - self.busy0[1]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(app: str, url: str, workers: int, tmp: Path, extra: list[str] | None = None,
                   env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, GOVCREDIT_DEBUG="0", GOVCREDIT_PORTAL_RATE="0",
               GOVCREDIT_PORTAL_DETAIL_RATE="0", DJANGO_SETTINGS_MODULE="govcredit.settings",
               GOVCREDIT_LOG_LEVEL="ERROR", **(env_extra or {}))
    log = open(tmp / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), app, "-w", str(workers), "--bind", f"127.0.0.1:{port}",
                             "--log-level", "warning", "--timeout", "60", *(extra or [])], cwd=ROOT, env=env,
                            stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/portal/", timeout=5) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"gunicorn 未能启动，见 {tmp}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def bench_application() -> Any:
    """gunicorn entry used only when the JSON router is not yet mounted at /api/portal/ in govcredit.urls.

    It serves the real URLs plus the portal router on its own NinjaAPI at /api/portal/ — the same
    operations the real mount will serve.
    """
    import types

    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcredit.settings")
    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.urls import path
    from ninja import NinjaAPI

    import govcredit.urls
    from govcredit.disclosure.api import router

    api = NinjaAPI(title="portal bench", version="bench", urls_namespace="portal_bench_api", docs_url=None)
    api.add_router("/portal", router)
    module = types.ModuleType("portal_bench_urls")
    module.urlpatterns = [path("api/", api.urls), *govcredit.urls.urlpatterns]  # type: ignore[attr-defined]
    sys.modules["portal_bench_urls"] = module
    settings.ROOT_URLCONF = "portal_bench_urls"
    return get_wsgi_application()


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="门户检索与详情基准（PostgreSQL + gunicorn + wrk）")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--duration", type=int, default=30, help="每个场景 wrk 运行的秒数")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数")
    parser.add_argument("--gunicorn-args", default="", help="附加的 gunicorn 参数，例如 \"--worker-class gthread --threads 4\"")
    parser.add_argument("--queries", type=int, default=1000, help="检索词样本数")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="结束后保留基准库")
    parser.add_argument("--reuse", action="store_true", help="不重建，直接使用已装好的基准库（配合 --keep）")
    parser.add_argument("--force", action="store_true", help="允许库名不含 bench")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("需要 wrk：apt-get install -y wrk")

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL 应为 PostgreSQL：{url}")
    tmp = Path(tempfile.mkdtemp(prefix="govcredit-portal-bench-"))
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="govcredit.settings", GOVCREDIT_VAR_DIR=str(tmp),
                      GOVCREDIT_PORTAL_RATE="0", GOVCREDIT_PORTAL_DETAIL_RATE="0")
    name = urlsplit(url).path.lstrip("/")
    print(f"机器：{os.cpu_count()} 核，负载 {os.getloadavg()[0]:.1f}；数据库 {name}；{args.rows:,} 条公示")
    if not args.reuse:
        fresh_database(url, args.force)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        loaded: dict[str, Any] = {}
        if not args.reuse:
            call_command("migrate", verbosity=0)
            print("装载：目录与决定机关经业务服务写入；信用记录、公示、检索键、二元组由本脚本生成后以 COPY 直接写入"
                  "（绕过逐行业务服务与留痕，仅用于基准）")
            loaded = Loader(url, args.rows, args.seed).run()
            print(f"  COPY {loaded['copy_s']:.0f} s（{args.rows / loaded['copy_s']:,.0f} 条/秒），重建索引 "
                  f"{loaded['index_s']:.0f} s，VACUUM ANALYZE {loaded['vacuum_s']:.0f} s")
        with connection.cursor() as cur:
            cur.execute("""SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint FROM pg_class c
                           WHERE c.relname IN ('disclosure_publication', 'disclosure_publicationgram',
                                               'disclosure_publicationsearchkey', 'archive_creditrecord') ORDER BY 1""")
            for rel, size, tuples in cur.fetchall():
                print(f"  {rel:<34}{tuples:>14,} 行 {size / 2**20:>10,.0f} MiB")
            cur.execute("SELECT max(id) FROM disclosure_publication")
            top = int(cur.fetchone()[0])

        queries = sample_queries(args.queries, args.seed)
        rng = random.Random(args.seed + 1)
        detail_ids = [rng.randint(1, top) for _ in range(1000)]
        two = sum(len(q) == 2 for q in queries)
        print(f"检索词：{len(queries)} 个（2 字 {two} 个，3 字 {len(queries) - two} 个），取自随机公示的名称，"
              f"例如 {'、'.join(queries[:8])}")

        proc_time = in_process(queries)
        db = psql_timings(url, queries[:300], detail_ids[:300], tmp)
        connections.close_all()

        extra = args.gunicorn_args.split()
        proc, base = start_gunicorn("govcredit.wsgi", url, args.workers, tmp, extra)
        procs.append(proc)
        search_paths = [f"/portal/search/?{urlencode({'q': q})}" for q in queries]
        detail_paths = [f"/portal/{pk}/" for pk in detail_ids]
        run_wrk(base, search_paths, 5, args.connections, tmp, "warmup")
        load_before = os.getloadavg()[0]
        meter = CpuMeter(proc.pid, name)
        http = {
            "检索页 /portal/search/": run_wrk(base, search_paths, args.duration, args.connections, tmp, "search", meter),
            "详情页 /portal/<id>/": run_wrk(base, detail_paths, args.duration, args.connections, tmp, "detail", meter),
        }
        api_note = ""
        if status_of(f"{base}/api/portal/search?q={quote('玄武')}") == 404:
            stop(proc)
            proc, base = start_gunicorn("benchmarks.portal:bench_application()", url, args.workers, tmp, extra)
            procs.append(proc)
            meter = CpuMeter(proc.pid, name)
            api_note = "（/api/portal/ 尚未挂载到 govcredit.urls：接口场景用基准专用入口挂载同一 router）"
        http["检索接口 /api/portal/search"] = run_wrk(
            base, [f"/api/portal/search?{urlencode({'q': q})}" for q in queries], args.duration, args.connections,
            tmp, "api_search", meter)
        http["详情接口 /api/portal/records/<id>"] = run_wrk(
            base, [f"/api/portal/records/{pk}" for pk in detail_ids], args.duration, args.connections, tmp, "api_detail",
            meter)
        stop(proc)
        # The same searches with the answer cache off (disclosure/answers.py): every request runs the search.
        proc, base = start_gunicorn("govcredit.wsgi", url, args.workers, tmp, extra,
                                    {"GOVCREDIT_PORTAL_CACHE_SECONDS": "0"})
        procs.append(proc)
        meter = CpuMeter(proc.pid, name)
        http["检索页，答案缓存关闭"] = run_wrk(base, search_paths, args.duration, args.connections, tmp, "search_nocache",
                                        meter)
        load_after = os.getloadavg()[0]

        print()
        print(f"HTTP：gunicorn -w {args.workers} {args.gunicorn_args or '（sync）'}，wrk -t2 -c{args.connections} -d{args.duration}s，同机回环；"
              f"限流已关闭（GOVCREDIT_PORTAL_RATE=0）{api_note}")
        print(f"{'场景':<30}{'请求/秒':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'错误':>7}"
              f"{'CPU ms/请求：应用':>18}{'数据库':>8}{'wrk':>7}{'其他进程占用':>12}{'2核独占推算 请求/秒':>18}")
        for label, r in http.items():
            own = r.get("app_ms", 0) + r.get("db_ms", 0)
            print(f"{label:<28}{r['rps']:>12,.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>7}"
                  f"{r.get('app_ms', 0):>16.2f}{r.get('db_ms', 0):>10.2f}{r.get('wrk_ms', 0):>7.2f}"
                  f"{r.get('others', 0):>13.0%}{(2000 / own if own else 0):>16,.0f}")
        print("（CPU ms/请求 按进程计：gunicorn 主进程与工作进程、基准库的 PostgreSQL 后端进程、wrk；“其他进程占用”为同期整机 CPU 中"
              "不属于这三者的比例——本机与其他工作共用；“2核独占推算”= 2000 ms ÷（应用＋数据库 CPU ms/请求），未计 wrk 自身。"
              "数据库一列是下限：CONN_MAX_AGE=60 使后端连接每分钟重建，期间退出的后端进程的 CPU 无法计入，"
              "详情页的数据库耗时请看下方 psql 数字。）")
        print()
        print("同一批检索在 psql 中（EXPLAIN ANALYZE 执行时间；门户每次检索只执行这一条语句：一页结果＋计数，至多 1001 条）与进程内 run_search：")
        print(f"{'':<30}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'样本':>7}")
        for label, r in (("psql 检索语句", db["search"]), ("psql 详情", db["detail"]),
                         ("进程内 run_search（无 HTTP）", proc_time)):
            print(f"{label:<26}{r['p50']:>11.2f}{r['p95']:>9.2f}{r['p99']:>9.2f}{r['n']:>7}")
        print("psql 中最慢的检索：" + "、".join(f"“{q}” {t:.1f} ms" for t, q in db["slowest"]))
        print(f"负载（1 分钟平均）：压测前 {load_before:.1f}，压测后 {load_after:.1f}（{os.cpu_count()} 核，wrk、gunicorn、"
              f"PostgreSQL 同机）")
        for label, plan in db["plans"].items():
            print(f"\n执行计划示例（{label}）：\n{plan}")
        s, d = http["检索页 /portal/search/"], http["详情页 /portal/<id>/"]
        n = http["检索页，答案缓存关闭"]
        goals = [("检索 p95 ≤ 50 ms", s["p95"] <= 50), ("检索 ≥ 500 请求/秒", s["rps"] >= 500),
                 ("详情 p95 ≤ 20 ms", d["p95"] <= 20),
                 ("缓存关闭时检索 p95 ≤ 50 ms", n["p95"] <= 50), ("缓存关闭时检索 ≥ 500 请求/秒", n["rps"] >= 500)]
        print("\n目标：" + "；".join(f"{g}：{'达到' if ok else '未达到'}" for g, ok in goals))
        errors = sum(r["errors"] for r in http.values())
        return 1 if errors else 0
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        from django.db import connections as conns

        conns.close_all()
        if not args.keep:
            drop_database(url, name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
