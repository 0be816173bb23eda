"""Demo data, step one: the plan of a deterministic, realistic Nanjing, decided without the database.

:func:`build_plan` is a pure function of ``(seed, scale, today)``: it decides every organisation, civil
servant, post, record, their identifiers and when each 双公示 decision was published, so a plan can be
inspected (and its size checked) without writing it. :mod:`govcredit.demo.services` writes a plan
through the services.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from govcredit.archive.models import CounterpartyKind
from govcredit.archive.services import add_months
from govcredit.core import clock
from govcredit.subjects.identifiers import make_credit_code
from govcredit.subjects.models import OrgType, ServantStatus

from . import reference as ref

DEFAULT_SEED = 2018
CHUNK = 2000

# Volumes at scale 1; civil servants, committees, counterparties and records grow linearly with
# the scale, the organisation skeleton (departments, districts, 101 real streets and towns) does not.
PERSONS_PER_SCALE = 20_000
COMMITTEES_PER_SCALE = 1_200
ENTERPRISES_PER_SCALE = 1_500
INDIVIDUAL_BUSINESSES_PER_SCALE = 400
NATURAL_PERSONS_PER_SCALE = 600
RECORDS_PER_SCALE: dict[str, int] = {
    "xzcf": 2_000,  # 行政处罚
    "xzxk": 3_000,  # 行政许可
    "sxbzxr": 200,  # 政府机构失信被执行人
    "jlcf": 300,  # 纪律处分
    "wzcl": 300,  # 问责处理
    "tjzj": 200,  # 统计造假
    "wyhy": 200,  # 违约毁约
    "tqzk": 300,  # 拖欠中小企业账款
    "bzjl": 500,  # 表彰奖励
    "cxjy": 800,  # 诚信教育培训
}
RECORD_HISTORY_DAYS = 4 * 365

RETIRED_SHARE = 0.05
TRANSFERRED_SHARE = 0.03

# Organisation kinds in a plan, with their tree depth.
KIND_DEPTH = {"root": 0, "city_dept": 1, "zone": 1, "district": 1, "district_dept": 2, "street": 2, "committee": 3}
KIND_LABELS = {
    "root": "市政府", "city_dept": "市级部门", "zone": "功能区", "district": "区政府", "district_dept": "区级部门",
    "street": "街道/乡镇", "committee": "村(居)委会",
}  # fmt: skip
EMPLOYER_KINDS = ("root", "city_dept", "zone", "district", "district_dept", "street")

T = TypeVar("T")


# --------------------------------------------------------------------------- plan types


@dataclass(frozen=True)
class OrgPlan:
    key: str  # stable key: "root", "市发改委", "zone", "320102", "320102:scjg", "320102:s3", "320102:c17"
    name: str
    credit_code: str
    org_type: str
    region_code: str
    parent: int | None  # index into Plan.orgs
    kind: str  # see KIND_DEPTH
    district: str = ""  # GB/T 2260 code of the district it lies in ("" for city level)
    head: str = ""  # title of its head
    deputy: str = ""  # title of a deputy head
    ladder: str = ""  # post ladder of its staff (reference.LADDERS)
    doc: str = ""  # prefix of its document numbers


@dataclass(frozen=True)
class PostPlan:
    employer: int
    post: str
    rank: str
    status: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class PersonPlan:
    name: str
    id_number: str
    gender: str
    birth: dt.date
    employer: int
    post: str
    rank: str
    status: str
    posts: tuple[PostPlan, ...]


@dataclass(frozen=True)
class Counterparty:
    name: str
    kind: str  # CounterpartyKind value
    code: str  # credit code ("" for natural persons)
    representative: str
    id_number: str  # natural persons and individual businesses
    industry: str
    district: str


@dataclass(frozen=True)
class RecordPlan:
    type_code: str
    values: dict[str, str]  # raw values keyed by the catalog field label
    issuer: int
    subject_org: int | None = None
    subject_person: int | None = None
    # 双公示 decisions: working days after the decision date on which the issuer published it (None: other types)
    published_after: int | None = None


@dataclass
class Plan:
    seed: int
    scale: float
    today: dt.date
    orgs: list[OrgPlan] = field(default_factory=list)
    persons: list[PersonPlan] = field(default_factory=list)
    records: list[RecordPlan] = field(default_factory=list)
    counterparties: list[Counterparty] = field(default_factory=list)
    subject_person: int | None = None  # the civil servant of 玄武区 behind the `subject` account

    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def org_index(self, key: str) -> int:
        if len(self._index) != len(self.orgs):
            self._index = {o.key: i for i, o in enumerate(self.orgs)}
        return self._index[key]

    def org(self, key: str) -> OrgPlan:
        return self.orgs[self.org_index(key)]

    def depth(self, index: int) -> int:
        return KIND_DEPTH[self.orgs[index].kind]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {label: 0 for label in KIND_LABELS.values()}
        for o in self.orgs:
            out[KIND_LABELS[o.kind]] += 1
        out["公务员"] = len(self.persons)
        out["任职经历"] = sum(len(p.posts) for p in self.persons)
        out["信用记录"] = len(self.records)
        return out

    def record_counts(self) -> dict[str, int]:
        out = {code: 0 for code in RECORDS_PER_SCALE}
        for r in self.records:
            out[r.type_code] += 1
        return out

    def digest(self) -> str:
        """SHA-256 over every name, code, identifier and record value: equal plans, equal digests."""
        h = hashlib.sha256()
        for o in self.orgs:
            h.update(f"O|{o.name}|{o.credit_code}|{o.org_type}|{o.region_code}|{o.parent}\n".encode())
        for p in self.persons:
            h.update(f"P|{p.name}|{p.id_number}|{p.employer}|{p.post}|{p.rank}|{p.status}\n".encode())
            for a in p.posts:
                h.update(f"A|{a.employer}|{a.post}|{a.rank}|{a.status}|{a.start}|{a.end}\n".encode())
        for r in self.records:
            blob = json.dumps(r.values, ensure_ascii=False, sort_keys=True)
            h.update(f"R|{r.type_code}|{r.issuer}|{r.subject_org}|{r.subject_person}|{r.published_after}|{blob}\n"
                     .encode())
        return h.hexdigest()


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, stage: str) -> random.Random:
    """One independent stream per stage, so that changing one stage leaves the others as they were."""
    return random.Random(f"govcredit-demo:{seed}:{stage}")


def _scaled(per_scale: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(per_scale * scale))


def _allocate(rng: random.Random, total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into parts roughly proportional to ``weights`` (each at least ``minimum``)."""
    if not weights:
        return []
    jittered = [w * rng.uniform(0.8, 1.2) for w in weights]
    wsum = sum(jittered)
    counts = [max(minimum, int(total * w / wsum)) for w in jittered]
    while sum(counts) < total:
        counts[rng.choices(range(len(counts)), weights=jittered)[0]] += 1
    return counts


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _money(rng: random.Random, bounds: tuple[float, float]) -> str:
    return f"{max(0.01, rng.uniform(*bounds)):.2f}"


def organization_code_check(body8: str) -> str:
    """Check character of a 9-character 组织机构代码 (GB 11714-1997) for its first 8 characters."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


class _Identifiers:
    """Hands out unique credit codes and ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.org_ids: set[str] = set()
        self.id_bodies: set[str] = set()

    def credit_code(self, category: str, region: str) -> str:
        while True:
            body = f"{self.rng.choice('0457')}{self.rng.randrange(10 ** 7):07d}"
            org_id = body + organization_code_check(body)
            if org_id not in self.org_ids:
                self.org_ids.add(org_id)
                return make_credit_code(category, region, org_id)

    def id_number(self, region: str, birth: dt.date, gender: str) -> str:
        parity = 1 if gender == "男" else 0
        while True:
            seq = self.rng.randrange(0, 500) * 2 + parity
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            if body not in self.id_bodies:
                self.id_bodies.add(body)
                return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


# GB 11643-1999 (ISO 7064 MOD 11-2), as in subjects.identifiers, inlined because the plan makes tens
# of thousands of numbers; the tests check every one with parse_id_number.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


_SURNAMES = [s for s, _ in ref.SURNAMES]
_SURNAME_CUM: list[float] = []
for _s, _w in ref.SURNAMES:
    _SURNAME_CUM.append((_SURNAME_CUM[-1] if _SURNAME_CUM else 0.0) + _w)


def person_name(rng: random.Random, gender: str) -> str:
    surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    pool = ref.GIVEN_MALE if gender == "男" else ref.GIVEN_FEMALE
    if rng.random() < 0.3:
        return surname + rng.choice(pool)
    first = rng.choice(ref.GIVEN_COMMON) if rng.random() < 0.25 else rng.choice(pool)
    return surname + first + rng.choice(pool)


def _birth(rng: random.Random, years: tuple[int, int]) -> dt.date:
    start = dt.date(years[0], 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(years[1], 12, 31) - start).days + 1))


# --------------------------------------------------------------------------- organisations


def _plan_orgs(plan: Plan, ids: _Identifiers, rng: random.Random) -> None:
    orgs = plan.orgs
    gov = OrgType.GOVERNMENT.value
    orgs.append(OrgPlan("root", ref.ROOT_NAME, ids.credit_code(ref.CATEGORY_GOVERNMENT, ref.CITY_REGION), gov,
                        ref.CITY_REGION, None, "root", head="秘书长", deputy="副秘书长", ladder="city", doc="宁政"))
    for dept in ref.CITY_DEPARTMENTS:
        org_type = gov if dept.category == ref.CATEGORY_GOVERNMENT else OrgType.INSTITUTION.value
        orgs.append(OrgPlan(dept.alias, dept.name, ids.credit_code(dept.category, ref.CITY_REGION), org_type,
                            ref.CITY_REGION, 0, "city_dept", head=dept.head, deputy=dept.deputy, ladder=dept.ladder,
                            doc=dept.doc))
    orgs.append(OrgPlan("zone", ref.ZONE_NAME, ids.credit_code(ref.CATEGORY_GOVERNMENT, ref.CITY_REGION),
                        OrgType.ZONE.value, ref.CITY_REGION, 0, "zone", head="主任", deputy="副主任", ladder="city",
                        doc="宁新区"))
    district_index: dict[str, int] = {}
    for d in ref.DISTRICTS:
        district_index[d.code] = len(orgs)
        orgs.append(OrgPlan(d.code, f"{d.name}人民政府", ids.credit_code(ref.CATEGORY_GOVERNMENT, d.code), gov,
                            d.code, 0, "district", d.code, head="区长", deputy="副区长", ladder="district",
                            doc=f"{d.short}政"))
    for d in ref.DISTRICTS:
        for dd in ref.DISTRICT_DEPARTMENTS:
            orgs.append(OrgPlan(f"{d.code}:{dd.key}", f"{d.name}{dd.suffix}",
                                ids.credit_code(ref.CATEGORY_GOVERNMENT, d.code), gov, d.code,
                                district_index[d.code], "district_dept", d.code, head=dd.head, deputy=dd.deputy,
                                ladder="district", doc=f"{d.short}{dd.doc}"))
    streets: list[tuple[int, ref.District, bool]] = []
    for d in ref.DISTRICTS:
        for n, name in enumerate(d.streets):
            town = name.endswith("镇")
            streets.append((len(orgs), d, town))
            orgs.append(OrgPlan(f"{d.code}:s{n}", name, ids.credit_code(ref.CATEGORY_GOVERNMENT, d.code),
                                (OrgType.TOWN if town else OrgType.STREET).value, d.code, district_index[d.code],
                                "street", d.code, head="镇长" if town else "街道办事处主任",
                                deputy="副镇长" if town else "街道办事处副主任", ladder="street",
                                doc=f"{d.short}{name[:2]}"))
    total = max(len(streets), _scaled(COMMITTEES_PER_SCALE, plan.scale))
    counts = _allocate(rng, total, [1.3 if town else 1.0 for _, _, town in streets], minimum=1)
    used: dict[str, set[str]] = {d.code: set() for d in ref.DISTRICTS}
    serial: dict[str, int] = {d.code: 0 for d in ref.DISTRICTS}
    for (street_index, d, town), count in zip(streets, counts, strict=True):
        village_share = ref.VILLAGE_SHARE[d.kind][1 if town else 0]
        for _ in range(count):
            village = rng.random() < village_share
            base = _committee_base(rng, village, used[d.code])
            name = f"{base}村村民委员会" if village else f"{base}社区居民委员会"
            org_type = OrgType.VILLAGE if village else OrgType.RESIDENTS
            orgs.append(OrgPlan(f"{d.code}:c{serial[d.code]}", name,
                                ids.credit_code(ref.CATEGORY_COMMITTEE, d.code), org_type.value, d.code,
                                street_index, "committee", d.code))
            serial[d.code] += 1


def _committee_base(rng: random.Random, village: bool, used: set[str]) -> str:
    first, second = (ref.VILLAGE_FIRST, ref.VILLAGE_SECOND) if village else (ref.COMMUNITY_FIRST, ref.COMMUNITY_SECOND)
    for attempt in range(60):
        base = rng.choice(first) + rng.choice(second)
        if attempt >= 20:  # two-part names are running out in this district: three parts
            base = rng.choice(ref.COMMUNITY_FIRST) + base
        if base not in used:
            used.add(base)
            return base
    n = 2
    while f"{base}{n}" in used:
        n += 1
    used.add(f"{base}{n}")
    return f"{base}{n}"


# --------------------------------------------------------------------------- civil servants


_LowerKey = tuple[str, int]
_LOWER_POSTS: dict[_LowerKey, list[tuple[str, tuple[str, ...], int]]] = {}


def _lower_posts(ladder_name: str, rank_index: int) -> list[tuple[str, tuple[str, ...], int]]:
    """Ladder entries whose ranks are all below ``rank_index`` (at least the lowest entry)."""
    key = (ladder_name, rank_index)
    if key not in _LOWER_POSTS:
        ladder = ref.LADDERS[ladder_name]
        _LOWER_POSTS[key] = [e for e in ladder if max(ref.RANK_INDEX[r] for r in e[1]) < rank_index] or [ladder[-1]]
    return _LOWER_POSTS[key]


def _plan_persons(plan: Plan, ids: _Identifiers, rng: random.Random) -> None:
    employers = [i for i, o in enumerate(plan.orgs) if o.kind in EMPLOYER_KINDS]
    weights: list[float] = []
    dept_weight = {d.alias: d.weight for d in ref.CITY_DEPARTMENTS}
    dd_weight = {dd.key: dd.weight for dd in ref.DISTRICT_DEPARTMENTS}
    for i in employers:
        o = plan.orgs[i]
        if o.kind == "city_dept":
            weights.append(dept_weight[o.key])
        elif o.kind == "district_dept":
            weights.append(dd_weight[o.key.split(":")[1]])
        else:
            weights.append({"root": 3, "zone": 4, "district": 5, "street": 2}[o.kind])
    total = _scaled(PERSONS_PER_SCALE, plan.scale)
    counts = _allocate(rng, total, weights)
    # Where staff may have worked before: the same district, or the city level.
    peers: dict[str, list[int]] = {}
    for i in employers:
        peers.setdefault(plan.orgs[i].district, []).append(i)
    district_codes = [d.code for d in ref.DISTRICTS]
    xuanwu = plan.org_index("320102")
    for employer, count in zip(employers, counts, strict=True):
        org = plan.orgs[employer]
        head_ranks, deputy_ranks = ref.HEAD_RANKS[org.kind]
        deputies = rng.randint(2, 5) if org.kind in ("root", "city_dept", "zone", "district") else rng.randint(2, 4)
        ladder = ref.LADDERS[org.ladder]
        for slot in range(count):
            status = ServantStatus.ACTIVE.value
            if slot == 0:
                post, rank = org.head, rng.choice(head_ranks)
            elif slot <= deputies:
                post, rank = org.deputy, rng.choice(deputy_ranks)
            else:
                entry = rng.choices(ladder, weights=[e[2] for e in ladder])[0]
                post, rank = entry[0], rng.choice(entry[1])
                roll = rng.random()
                if roll < RETIRED_SHARE:
                    status = ServantStatus.RETIRED.value
                elif roll < RETIRED_SHARE + TRANSFERRED_SHARE:
                    status = ServantStatus.TRANSFERRED.value
            if status == ServantStatus.RETIRED.value:
                birth = _birth(rng, (1960, 1963))
            else:
                birth = _birth(rng, ref.BIRTH_YEARS_BY_RANK[ref.RANK_INDEX[rank]])
            male_share = 0.75 if slot <= deputies else 0.55
            gender = "男" if rng.random() < male_share else "女"
            region = org.district or rng.choice(district_codes)
            history = _plan_history(plan, rng, employer, post, rank, status, birth, peers)
            if (plan.subject_person is None and employer == xuanwu and slot > deputies
                    and status == ServantStatus.ACTIVE.value):
                plan.subject_person = len(plan.persons)
            plan.persons.append(PersonPlan(person_name(rng, gender), ids.id_number(region, birth, gender), gender,
                                           birth, employer, post, rank, status, history))


def _plan_history(plan: Plan, rng: random.Random, employer: int, post: str, rank: str, status: str,
                  birth: dt.date, peers: dict[str, list[int]]) -> tuple[PostPlan, ...]:
    """1–3 posts ending in the current one; earlier posts are lower, sometimes elsewhere."""
    retired = status == ServantStatus.RETIRED.value
    transferred = status == ServantStatus.TRANSFERRED.value
    end_limit = _add_years(birth, 60) if retired else plan.today - dt.timedelta(days=1)
    start = _add_years(birth, rng.randint(21, 26)) + dt.timedelta(days=rng.randrange(365))
    start = min(start, end_limit - dt.timedelta(days=60))
    span = (end_limit - start).days
    k = rng.choice((1, 2, 2, 3, 3))
    if transferred:
        k = max(k, 2)
    if span < 400 * k:
        k = 1
    starts = [start] + sorted(start + dt.timedelta(days=d) for d in rng.sample(range(180, span - 30), k - 1)) \
        if k > 1 else [start]
    org = plan.orgs[employer]
    same_area = peers.get(org.district, [employer])
    current_rank = ref.RANK_INDEX[rank]
    earlier: list[tuple[int, str, str]] = []
    for i in range(k - 1):
        last_before_current = i == k - 2
        if transferred and last_before_current:
            others = [p for p in peers.get("" if org.district else rng.choice(list(peers)), []) if p != employer]
            where = rng.choice(others or [p for p in same_area if p != employer] or [employer])
        else:
            where = employer if rng.random() < 0.6 else rng.choice(same_area)
        entry = rng.choice(_lower_posts(plan.orgs[where].ladder, current_rank))
        earlier.append((where, entry[0], rng.choice(entry[1])))
    earlier.sort(key=lambda e: ref.RANK_INDEX[e[2]])  # careers go up
    chain = [*earlier, (employer, post, rank)]
    posts: list[PostPlan] = []
    for i, (where, p, r) in enumerate(chain):
        is_last = i == len(chain) - 1
        a_status = ServantStatus.TRANSFERRED.value if (transferred and is_last) else ServantStatus.ACTIVE.value
        end = (end_limit if retired else None) if is_last else starts[i + 1]
        posts.append(PostPlan(where, p, r, a_status, starts[i], end))
    return tuple(posts)


# --------------------------------------------------------------------------- counterparties


def _plan_counterparties(plan: Plan, ids: _Identifiers, rng: random.Random) -> None:
    industries = list(ref.INDUSTRIES)
    names: set[str] = set()
    for _ in range(_scaled(ENTERPRISES_PER_SCALE, plan.scale, 30)):
        industry = rng.choice(industries)
        d = rng.choice(ref.DISTRICTS)
        while True:
            brand = rng.choice(ref.ENTERPRISE_BRAND_FIRST) + rng.choice(ref.ENTERPRISE_BRAND_SECOND)
            if rng.random() < 0.15:
                brand += rng.choice(ref.ENTERPRISE_BRAND_SECOND)
            name = f"{'江苏' if rng.random() < 0.2 else '南京'}{brand}{ref.INDUSTRIES[industry]}"
            if name not in names:
                names.add(name)
                break
        plan.counterparties.append(Counterparty(
            name, CounterpartyKind.LEGAL.value, ids.credit_code(ref.CATEGORY_ENTERPRISE, d.code),
            person_name(rng, "男" if rng.random() < 0.7 else "女"), "", industry, d.code))
    for _ in range(_scaled(INDIVIDUAL_BUSINESSES_PER_SCALE, plan.scale, 10)):
        d = rng.choice(ref.DISTRICTS)
        gender = "男" if rng.random() < 0.6 else "女"
        owner = person_name(rng, gender)
        shop, industry = rng.choice(ref.INDIVIDUAL_SHOPS)
        name = f"南京市{d.name}{owner[0]}记{shop}"
        n = 2
        while name in names:
            name, n = f"南京市{d.name}{owner[0]}记{shop}（{d.roads[n % len(d.roads)]}{n}店）", n + 1
        names.add(name)
        plan.counterparties.append(Counterparty(
            name, CounterpartyKind.INDIVIDUAL_BUSINESS.value, ids.credit_code(ref.CATEGORY_INDIVIDUAL_BUSINESS, d.code),
            owner, ids.id_number(d.code, _birth(rng, (1958, 1998)), gender), industry, d.code))
    for _ in range(_scaled(NATURAL_PERSONS_PER_SCALE, plan.scale, 10)):
        d = rng.choice(ref.DISTRICTS)
        gender = "男" if rng.random() < 0.7 else "女"
        name = person_name(rng, gender)
        plan.counterparties.append(Counterparty(
            name, CounterpartyKind.NATURAL.value, "", name, ids.id_number(d.code, _birth(rng, (1955, 2003)), gender),
            "person", d.code))


class _Pools:
    """Counterparties by the industry tags of reference.PenaltyTemplate / LicenseTemplate."""

    def __init__(self, counterparties: list[Counterparty]) -> None:
        self.by_tag: dict[str, list[Counterparty]] = {}
        for c in counterparties:
            if c.kind == CounterpartyKind.LEGAL:
                self.by_tag.setdefault(c.industry, []).append(c)
            elif c.kind == CounterpartyKind.INDIVIDUAL_BUSINESS:
                self.by_tag.setdefault("individual", []).append(c)
            else:
                self.by_tag.setdefault("person", []).append(c)
        self.enterprises = [c for c in counterparties if c.kind == CounterpartyKind.LEGAL]
        self._cache: dict[tuple[tuple[str, ...], str], tuple[list[Counterparty], list[Counterparty]]] = {}

    def pick(self, rng: random.Random, tags: tuple[str, ...], district: str = "") -> Counterparty:
        key = (tags, district)
        if key not in self._cache:
            pool = [c for t in tags for c in self.by_tag.get(t, [])] or self.enterprises
            self._cache[key] = (pool, [c for c in pool if c.district == district] if district else [])
        pool, local = self._cache[key]
        return rng.choice(local if local and rng.random() < 0.85 else pool)


# --------------------------------------------------------------------------- records


class _Numbers:
    """Document numbers that go up within an office and a year, with gaps like real registers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: dict[tuple[str, int], int] = {}

    def next(self, office: str, year: int) -> int:
        n = self.last.get((office, year), self.rng.randint(0, 20)) + self.rng.randint(1, 3)
        self.last[(office, year)] = n
        return n


@dataclass
class _RecordContext:
    plan: Plan
    rng: random.Random
    numbers: _Numbers
    pools: _Pools

    def day(self) -> dt.date:
        return self.plan.today - dt.timedelta(days=self.rng.randint(1, RECORD_HISTORY_DAYS))

    def org(self, key: str) -> int:
        return self.plan.org_index(key)

    def district_org(self, district: str, dept_key: str, fallback: str) -> int:
        return self.org(f"{district}:{dept_key}") if district else self.org(fallback)

    def issuer_values(self, issuer: int, name_label: str, code_label: str) -> dict[str, str]:
        o = self.plan.orgs[issuer]
        return {name_label: o.name, code_label: o.credit_code}

    def address(self, district: str) -> str:
        d = _DISTRICTS[district] if district else self.rng.choice(ref.DISTRICTS)
        return f"{d.name}{self.rng.choice(d.roads)}{self.rng.randint(1, 399)}号"

    def add(self, code: str, values: dict[str, str], issuer: int, *, subject_org: int | None = None,
            subject_person: int | None = None) -> None:
        self.plan.records.append(RecordPlan(code, values, issuer, subject_org, subject_person))


_DISTRICTS = {d.code: d for d in ref.DISTRICTS}


def _counterparty_values(c: Counterparty) -> dict[str, str]:
    values = {"行政相对人名称": c.name, "行政相对人类别": c.kind}
    if c.code:
        values["统一社会信用代码"] = c.code
    if c.kind != CounterpartyKind.NATURAL:
        values["法定代表人"] = c.representative
    if c.id_number:
        values["证件类型"] = "身份证"
        values["证件号码"] = c.id_number
    return values


def _issuer_for(ctx: _RecordContext, dept: str) -> tuple[int, str]:
    """The issuing department of a template and the district it works in ("" for the city)."""
    if dept == "区市场监管局":
        d = ctx.rng.choice(ref.DISTRICTS)
        return ctx.org(f"{d.code}:scjg"), d.code
    return ctx.org(dept), ""


def _plan_penalties(ctx: _RecordContext, count: int) -> None:
    rng = ctx.rng
    for _ in range(count):
        t = rng.choice(ref.PENALTIES)
        issuer, district = _issuer_for(ctx, t.dept)
        c = ctx.pools.pick(rng, t.industries, district)
        day = ctx.day()
        doc = ctx.plan.orgs[issuer].doc
        amount = _money(rng, t.amount) if t.amount else ""
        confiscated = _money(rng, t.confiscated) if t.confiscated else ""
        values = _counterparty_values(c)
        values.update({
            "行政处罚决定书文号": f"{doc}罚〔{day.year}〕{ctx.numbers.next(doc + '罚', day.year)}号",
            "违法行为类型": t.violation,
            "违法事实": t.facts.format(addr=ctx.address(c.district), d=_cn_date(day - dt.timedelta(days=rng.randint(10, 90))),
                                     v=rng.randint(3, 300) * 10, y=day.year - 1),
            "处罚依据": t.basis,
            "处罚类别": "、".join(t.kinds),
            "处罚内容": t.result.format(amount=amount, confiscated=confiscated),
            "处罚决定日期": day.isoformat(),
            "严重程度": t.severity,
            **ctx.issuer_values(issuer, "处罚机关", "处罚机关统一社会信用代码"),
            **ctx.issuer_values(issuer, "数据来源单位", "数据来源单位统一社会信用代码"),
        })
        if amount:
            values["罚款金额（万元）"] = amount
        if confiscated:
            values["没收违法所得、没收非法财物的金额（万元）"] = confiscated
        ctx.add("xzcf", values, issuer)


def _plan_licenses(ctx: _RecordContext, count: int) -> None:
    rng = ctx.rng
    for _ in range(count):
        t = rng.choice(ref.LICENSES)
        issuer, district = _issuer_for(ctx, t.dept)
        c = ctx.pools.pick(rng, t.industries, district)
        day = ctx.day()
        doc = ctx.plan.orgs[issuer].doc
        n = ctx.numbers.next(doc + "许", day.year)
        valid_to = _add_years(day, rng.randint(*t.years)) - dt.timedelta(days=1)
        fmt = {"code": c.code, "year": day.year, "n": n, "d6": c.district, "addr": ctx.address(c.district),
               "v": rng.randint(5, 200)}
        values = _counterparty_values(c)
        values.update({
            "行政许可决定文书名称": t.document,
            "行政许可决定文书号": f"{doc}许〔{day.year}〕{n}号",
            "许可类别": t.kind,
            "许可内容": t.result.format(**fmt),
            "许可决定日期": day.isoformat(),
            "有效期自": day.isoformat(),
            "有效期至": valid_to.isoformat(),
            "当前状态": "有效" if valid_to >= ctx.plan.today else "无效",
            **ctx.issuer_values(issuer, "许可机关", "许可机关统一社会信用代码"),
            **ctx.issuer_values(issuer, "数据来源单位", "数据来源单位统一社会信用代码"),
        })
        if t.certificate:
            values["许可证书名称"] = t.certificate
        if t.number:
            values["许可编号"] = t.number.format(**fmt)
        ctx.add("xzxk", values, issuer)


def _kind_indices(plan: Plan, *kinds: str, besides: tuple[str, ...] = ()) -> list[int]:
    """Organisations of some kinds, without those whose key ends with one of ``besides`` (the issuers)."""
    return [i for i, o in enumerate(plan.orgs) if o.kind in kinds and not o.key.endswith(besides)]


def _plan_enforcement(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    subjects = _kind_indices(plan, "district_dept", "street", "district", "zone")
    court_org = ctx.org("市法院")
    for _ in range(count):
        subject = rng.choice(subjects)
        district = plan.orgs[subject].district
        if district:
            court, court_code = f"南京市{_DISTRICTS[district].name}人民法院", _DISTRICTS[district].court
        else:
            court, court_code = "南京市中级人民法院", "苏01"
        day = ctx.day()
        case_kind, obligation = rng.choice(ref.COURT_OBLIGATIONS)
        amount = _money(rng, (5, 800))
        basis_year = day.year - rng.randint(1, 2)
        document = "民事判决书" if case_kind.startswith("民") else "行政判决书"
        ctx.add("sxbzxr", {
            "执行案号": f"（{day.year}）{court_code}执{ctx.numbers.next(court_code + '执', day.year) * 7}号",
            "执行法院": court,
            "立案日期": day.isoformat(),
            "执行依据文号": f"（{basis_year}）{court_code}{case_kind}{rng.randint(100, 9999)}号{document}",
            "失信被执行人行为具体情形": rng.choice(ref.COURT_SITUATIONS),
            "生效法律文书确定的义务": obligation.format(amount=amount),
            "涉案金额（万元）": amount,
            "被执行人的履行情况": rng.choices(("全部未履行", "部分履行", "全部履行"), weights=(5, 4, 1))[0],
        }, court_org, subject_org=subject)


def _person_district(plan: Plan, person: int) -> str:
    return plan.orgs[plan.persons[person].employer].district


def _plan_discipline(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    kinds = [k for k, _ in ref.DISCIPLINE_KINDS]
    weights = [w for _, w in ref.DISCIPLINE_KINDS]
    for _ in range(count):
        person = rng.randrange(len(plan.persons))
        p = plan.persons[person]
        issuer = ctx.district_org(_person_district(plan, person), "jcw", "市监察委")
        doc = plan.orgs[issuer].doc
        day = ctx.day()
        punishment = rng.choices(kinds, weights=weights)[0]
        fact, basis = rng.choice(ref.DISCIPLINE_FACTS)
        ctx.add("jlcf", {
            "处分决定文号": f"{doc}处〔{day.year}〕{ctx.numbers.next(doc + '处', day.year)}号",
            "处分机关": plan.orgs[issuer].name,
            "处分决定日期": day.isoformat(),
            "处分种类": punishment,
            "违纪违法事实": f"经查，{p.name}在任{plan.orgs[p.employer].name}{p.post}期间，{fact}。",
            "处分依据": basis,
            "严重程度": "严重" if punishment in ("降级", "撤职", "开除") else "一般",
        }, issuer, subject_person=person)


def _plan_accountability(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    org_subjects = _kind_indices(plan, "city_dept", "district", "district_dept", "street",
                                 besides=(":jcw", "市监察委", "市委组织部"))
    for _ in range(count):
        day = ctx.day()
        values: dict[str, str]
        if rng.random() < 0.7:
            person = rng.randrange(len(plan.persons))
            district = _person_district(plan, person)
            issuer = ctx.district_org(district, "jcw", "市监察委") if rng.random() < 0.6 else ctx.org("市委组织部")
            way, subject_org, subject_person = rng.choice(ref.ACCOUNTABILITY_PERSON), None, person
        else:
            subject_org = rng.choice(org_subjects)
            district = plan.orgs[subject_org].district
            issuer = ctx.district_org(district, "jcw", "市监察委")
            way, subject_person = rng.choice(ref.ACCOUNTABILITY_ORG), None
        doc = plan.orgs[issuer].doc
        values = {
            "问责决定文号": f"{doc}问责〔{day.year}〕{ctx.numbers.next(doc + '问责', day.year)}号",
            "问责机关": plan.orgs[issuer].name,
            "问责决定日期": day.isoformat(),
            "问责方式": way,
            "问责事由": rng.choice(ref.ACCOUNTABILITY_FACTS),
        }
        ctx.add("wzcl", values, issuer, subject_org=subject_org, subject_person=subject_person)


def _plan_statistics(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    org_subjects = _kind_indices(plan, "district", "district_dept", "street", besides=(":tjj",))
    for _ in range(count):
        subject_org: int | None = None
        subject_person: int | None = None
        if rng.random() < 0.6:
            subject_org = rng.choice(org_subjects)
            district = plan.orgs[subject_org].district
        else:
            subject_person = rng.randrange(len(plan.persons))
            district = _person_district(plan, subject_person)
        issuer = ctx.district_org(district, "tjj", "市统计局")
        doc = plan.orgs[issuer].doc
        day = ctx.day()
        fact, result = rng.choice(ref.STATISTICS_FACTS)
        ctx.add("tjzj", {
            "认定文号": f"{doc}认〔{day.year}〕{ctx.numbers.next(doc + '认', day.year)}号",
            "认定机关": plan.orgs[issuer].name,
            "认定日期": day.isoformat(),
            "统计违法事实": fact.format(amount=f"{rng.uniform(0.5, 30):.1f}", n=rng.randint(2, 15)),
            "处理结果": result,
            "严重程度": "严重" if rng.random() < 0.3 else "一般",
        }, issuer, subject_org=subject_org, subject_person=subject_person)


def _place(rng: random.Random, plan: Plan, org: int) -> str:
    district = plan.orgs[org].district
    name = _DISTRICTS[district].name if district else "南京"
    return name + rng.choice(("东部", "西部", "南部", "北部", "滨江", "高新", "临空", "科创", "老城", "新城"))


def _plan_breaches(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    subjects = _kind_indices(plan, "district", "district_dept", "street", "zone", "city_dept",
                             besides=(":fgw", "市发改委"))
    for _ in range(count):
        subject = rng.choice(subjects)
        issuer = ctx.district_org(plan.orgs[subject].district, "fgw", "市发改委")
        doc = plan.orgs[issuer].doc
        day = ctx.day()
        ctx.add("wyhy", {
            "认定文号": f"{doc}信认〔{day.year}〕{ctx.numbers.next(doc + '信认', day.year)}号",
            "认定机关": plan.orgs[issuer].name,
            "认定日期": day.isoformat(),
            "合同名称": rng.choice(ref.BREACH_CONTRACTS).format(place=_place(rng, plan, subject)),
            "违约情形": rng.choice(ref.BREACH_FACTS),
            "涉及金额（万元）": _money(rng, (20, 3000)),
            "严重程度": "严重" if rng.random() < 0.25 else "一般",
        }, issuer, subject_org=subject)


def _plan_arrears(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    subjects = _kind_indices(plan, "city_dept", "district", "district_dept", "street", besides=("市工信局",))
    issuer = ctx.org("市工信局")
    for _ in range(count):
        subject = rng.choice(subjects)
        district = plan.orgs[subject].district
        short = _DISTRICTS[district].short if district else "宁"
        day = ctx.day()
        contract_year = day.year - rng.randint(0, 2)
        amount = rng.uniform(3, 600)
        number = rng.choice(ref.ARREARS_CONTRACTS).format(
            year=contract_year, n=ctx.numbers.next(short + "政采", contract_year), short=short)
        ctx.add("tqzk", {
            "合同编号": number,
            "认定机关": plan.orgs[issuer].name,
            "认定日期": day.isoformat(),
            "中小企业名称": ctx.pools.pick(rng, ("construction", "tech", "property", "trade"), district).name,
            "约定付款日期": (day - dt.timedelta(days=rng.randint(60, 400))).isoformat(),
            "逾期金额（万元）": f"{amount:.2f}",
            "严重程度": "严重" if amount > 300 else "一般",
        }, issuer, subject_org=subject)


def _plan_honours(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    org_subjects = _kind_indices(plan, "city_dept", "district", "district_dept", "street")
    committees = _kind_indices(plan, "committee")
    for n in range(count):
        subject_org: int | None = None
        subject_person: int | None = None
        roll = rng.random()
        if n == 0 and plan.subject_person is not None:
            subject_person, honours = plan.subject_person, ref.HONOURS_PERSON
        elif roll < 0.6:
            subject_person, honours = rng.randrange(len(plan.persons)), ref.HONOURS_PERSON
        elif roll < 0.9:
            subject_org, honours = rng.choice(org_subjects), ref.HONOURS_ORG
        else:
            subject_org, honours = rng.choice(committees), ref.HONOURS_COMMITTEE
        district = _person_district(plan, subject_person) if subject_person is not None \
            else plan.orgs[subject_org].district if subject_org is not None else ""
        honour, level = rng.choice(honours)
        day = ctx.day()
        if level == "区级" and district:
            issuer = plan.org_index(district)
            authority, doc = plan.orgs[issuer].name, plan.orgs[issuer].doc + "发"
        else:
            if level == "区级":
                level = "市级"
            issuer = ctx.org("市人社局")
            authority = ref.HONOUR_AUTHORITIES[level]
            doc = {"国家级": "人社部发", "省级": "苏政发", "市级": "宁政发"}[level]
        if honour.startswith("区级"):
            honour = honour.replace("区级", _DISTRICTS[district].name if district else "南京市")
        ctx.add("bzjl", {
            "表彰文号": f"{doc}〔{day.year}〕{ctx.numbers.next(doc, day.year)}号",
            "表彰机关": authority,
            "表彰日期": day.isoformat(),
            "荣誉名称": honour,
            "表彰级别": level,
        }, issuer, subject_org=subject_org, subject_person=subject_person)


def _plan_training(ctx: _RecordContext, count: int) -> None:
    rng, plan = ctx.rng, ctx.plan
    active = [i for i, p in enumerate(plan.persons) if p.status != ServantStatus.RETIRED]
    for n in range(count):
        person = plan.subject_person if n == 0 and plan.subject_person is not None else rng.choice(active)
        dept, prefix = rng.choice(ref.TRAINING_ORGS)
        issuer = ctx.org(dept)
        course, low, high = rng.choice(ref.TRAINING_COURSES)
        day = ctx.day()
        ctx.add("cxjy", {
            "培训编号": f"{prefix}-{day.year}-{ctx.numbers.next(prefix, day.year):04d}",
            "组织单位": plan.orgs[issuer].name,
            "培训日期": day.isoformat(),
            "课程名称": course,
            "学时": str(rng.randint(low, high)),
            "考核结果": "合格" if rng.random() < 0.96 else "不合格",
        }, issuer, subject_person=person)


RECORD_PLANNERS: dict[str, Callable[[_RecordContext, int], None]] = {
    "xzcf": _plan_penalties,
    "xzxk": _plan_licenses,
    "sxbzxr": _plan_enforcement,
    "jlcf": _plan_discipline,
    "wzcl": _plan_accountability,
    "tjzj": _plan_statistics,
    "wyhy": _plan_breaches,
    "tqzk": _plan_arrears,
    "bzjl": _plan_honours,
    "cxjy": _plan_training,
}


# --------------------------------------------------------------------------- publication delays

DOUBLE_PUBLICITY_TYPES = ("xzcf", "xzxk")
PUBLISH_WITHIN_WORKDAYS = 7  # the catalog's default deadline (国办发〔2015〕51号)
LATE_SHARE = (0.06, 0.12)  # share of 双公示 decisions published late, city-wide
LATE_DEPARTMENT_SHARE = 0.2  # about one issuing department in five publishes late at times
LATE_WITHIN_DEPARTMENT = 0.7  # at most this share of a late department's decisions is late
ON_TIME_DELAYS = (1, 2, 3, 4, 5, 6, 7)
ON_TIME_WEIGHTS = (6, 10, 9, 7, 5, 3, 2)  # most departments publish within a few days
LATE_DELAYS = (8, 45)  # working days: still inside the shortest publicity window (3 months)


def _plan_publication_delays(plan: Plan, rng: random.Random) -> None:
    """When each 双公示 decision was published, as a real city's departments do it.

    Most departments publish every decision within the 7 working days; a few (about one in five, chosen
    at random) publish part of theirs late, so that the city's on-time rate lands between 88% and 94%
    and only those departments fall short of the 100% target in the statistics. Exact counts, not
    probabilities, so that a small demo lands in the band too.
    """
    by_issuer: dict[int, list[int]] = {}
    for n, r in enumerate(plan.records):
        if r.type_code in DOUBLE_PUBLICITY_TYPES:
            by_issuer.setdefault(r.issuer, []).append(n)
    total = sum(len(v) for v in by_issuer.values())
    issuers = sorted(by_issuer)
    rng.shuffle(issuers)
    late_target = round(total * rng.uniform(*LATE_SHARE))
    late_issuers: list[int] = []
    for issuer in issuers:
        enough = sum(len(by_issuer[i]) for i in late_issuers) * LATE_WITHIN_DEPARTMENT >= late_target
        if enough and len(late_issuers) >= max(1, round(len(issuers) * LATE_DEPARTMENT_SHARE)):
            break
        late_issuers.append(issuer)
    candidates = sorted(n for i in late_issuers for n in by_issuer[i])
    late = set(rng.sample(candidates, min(late_target, len(candidates))))
    for issuer in issuers:
        for n in by_issuer[issuer]:
            delay = rng.randint(*LATE_DELAYS) if n in late else rng.choices(ON_TIME_DELAYS, ON_TIME_WEIGHTS)[0]
            plan.records[n] = replace(plan.records[n], published_after=delay)


def build_plan(seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None) -> Plan:
    """Decide all demo data for ``seed`` and ``scale`` without touching the database.

    The result depends only on the arguments (``today`` defaults to the current date and bounds the
    decision dates: the past four years up to yesterday).
    """
    if not scale > 0:
        raise ValueError("规模（scale）必须大于 0")
    plan = Plan(seed=seed, scale=scale, today=today or clock.today())
    ids = _Identifiers(_rng(seed, "identifiers"))
    _plan_orgs(plan, ids, _rng(seed, "orgs"))
    _plan_persons(plan, ids, _rng(seed, "persons"))
    _plan_counterparties(plan, ids, _rng(seed, "counterparties"))
    numbers = _Numbers(_rng(seed, "numbers"))
    pools = _Pools(plan.counterparties)
    for code, planner in RECORD_PLANNERS.items():
        ctx = _RecordContext(plan, _rng(seed, f"records:{code}"), numbers, pools)
        planner(ctx, _scaled(RECORDS_PER_SCALE[code], scale, 2))
    _plan_publication_delays(plan, _rng(seed, "publication"))
    return plan


