"""Fake but plausible names and texts for benchmark data, drawn from the demo city's reference data.

One source of Nanjing's districts, departments, surnames, trade names, shops and decision texts:
:mod:`govcredit.demo.reference`, which ``govcredit demo`` uses too. Nothing here writes to a database.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from govcredit.demo import reference as ref


@dataclass(frozen=True)
class Authority:
    name: str  # 南京市玄武区市场监督管理局
    penalty_prefix: str  # 玄市监罚
    licence_prefix: str  # 玄市监许


def authorities() -> list[Authority]:
    """The city's departments and each district's, with the prefixes of their decision numbers."""
    out = [Authority(d.name, f"{d.doc}罚", f"{d.doc}许") for d in ref.CITY_DEPARTMENTS]
    for district in ref.DISTRICTS:
        for dept in ref.DISTRICT_DEPARTMENTS:
            out.append(Authority(f"南京市{district.name}{dept.suffix}", f"{district.short}{dept.doc}罚",
                                 f"{district.short}{dept.doc}许"))
    return out


def _filled(template: str) -> str:
    """A reference text with its placeholders ({addr}, {d}, {v} …) filled with neutral words."""
    return template.format_map(defaultdict(lambda: "某", addr="本市某地", d="2026年3月2日", v="3000", y="2025",
                                           amount="0.5", confiscated="0.1"))


PENALTY_FACTS: tuple[str, ...] = tuple(_filled(p.facts) for p in ref.PENALTIES)
PENALTY_BASES: tuple[str, ...] = tuple(p.basis for p in ref.PENALTIES)
LICENCE_RESULTS: tuple[str, ...] = tuple(_filled(lic.result) for lic in ref.LICENSES)


class Names:
    """Deterministic counterparties: the same seed gives the same sequence."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _ in ref.SURNAMES]
        self.weights = [w for _, w in ref.SURNAMES]
        self.given = ref.GIVEN_MALE + ref.GIVEN_FEMALE + ref.GIVEN_COMMON
        self.suffixes = list(ref.INDUSTRIES.values())

    def person(self) -> str:
        r = self.rng
        surname = r.choices(self.surnames, self.weights)[0]
        return surname + r.choice(self.given) + (r.choice(self.given) if r.random() < 0.7 else "")

    def district(self) -> ref.District:
        return self.rng.choice(ref.DISTRICTS)

    def enterprise(self, district: ref.District) -> str:
        """南京市玄武区恒信食品有限公司, 南京华瑞科技有限公司, …"""
        r = self.rng
        brand = r.choice(ref.ENTERPRISE_BRAND_FIRST) + r.choice(ref.ENTERPRISE_BRAND_SECOND)
        if r.random() < 0.5:  # two brand characters give too few names at millions of rows
            brand += r.choice(ref.ENTERPRISE_BRAND_SECOND)
        place = r.random()
        prefix = f"南京市{district.name}" if place < 0.35 else "南京" if place < 0.7 else f"江苏{district.short}" if place < 0.8 else ""
        return f"{prefix}{brand}{r.choice(self.suffixes)}"

    def shop(self, district: ref.District, owner: str) -> str:
        """玄武区恒信面馆, 王记便利店, …"""
        r = self.rng
        shop = r.choice(ref.INDIVIDUAL_SHOPS)[0]
        if r.random() < 0.6:
            return f"{district.name}{r.choice(ref.ENTERPRISE_BRAND_FIRST)}{r.choice(ref.ENTERPRISE_BRAND_SECOND)}{shop}"
        return f"{owner[0]}记{shop}"
