"""Validation, parsing, generation and masking of Chinese subject identifiers.

* 统一社会信用代码 — GB 32100-2015 (18 chars, check char per GB/T 17710 MOD 31-3).
* 公民身份号码 — GB 11643-1999 (18 chars, check char per ISO 7064 MOD 11-2).

Everything here is pure Python; the two ``validate_*_field`` helpers import Django lazily so
they can be used as model/form field validators.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, timezone

from django.utils.translation import gettext as _

from govcredit.core.errors import DomainError

__all__ = [
    "CREDIT_CODE_CHARSET",
    "ORG_CATEGORY_CODES",
    "PROVINCE_CODES",
    "REGISTRATION_DEPT_CODES",
    "CreditCodeInfo",
    "IdNumberInfo",
    "IdentifierError",
    "credit_code_check_char",
    "id_number_check_char",
    "is_valid_credit_code",
    "is_valid_id_number",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "mask_text",
    "normalize_credit_code",
    "normalize_id_number",
    "parse_credit_code",
    "parse_id_number",
    "validate_credit_code_field",
    "validate_id_number_field",
]

# --------------------------------------------------------------------------- constants

#: The 31 characters allowed in a 统一社会信用代码 (no I, O, Z, S, V), in value order 0..30.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)}
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

#: Province-level codes of GB/T 2260 (first two digits of an administrative region code).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip
#: Extra leading pair allowed in credit codes only: "10" for 中央/national-level registration (100000).
_CENTRAL_REGION_PREFIX = "10"

#: 登记管理部门代码 (position 1) → label, per GB 32100-2015 表1.
REGISTRATION_DEPT_CODES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

#: 登记管理部门代码 + 机构类别代码 (positions 1–2) → 机构类别 label, per GB 32100-2015 表1.
ORG_CATEGORY_CODES: dict[str, str] = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他（机构编制）",
    "21": "外国常驻新闻机构",
    "29": "其他（外交）",
    "31": "律师执业机构",
    "32": "公证处",
    "33": "基层法律服务所",
    "34": "司法鉴定机构",
    "35": "仲裁委员会",
    "39": "其他（司法行政）",
    "41": "外国在华文化中心",
    "49": "其他（文化）",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他（民政）",
    "61": "外国旅游部门常驻代表机构",
    "62": "港澳台地区旅游部门常驻内地（大陆）代表机构",
    "69": "其他（旅游）",
    "71": "宗教活动场所",
    "72": "宗教院校",
    "79": "其他（宗教）",
    "81": "基层工会",
    "89": "其他（工会）",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "A1": "军队事业单位",
    "A9": "其他（中央军委改革和编制办公室）",
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "其他（农业）",
    "Y1": "其他",
}

_CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_ID_BODY_RE = re.compile(r"\d{17}[\dX]")
_WHITESPACE_RE = re.compile(r"\s+")
_MIN_BIRTH_YEAR = 1800  # GB 11643's own example 440524188001010014 was born in 1880


# --------------------------------------------------------------------------- result types


class IdentifierError(DomainError, ValueError):
    """An identifier failed validation; ``message`` is Chinese, ``position`` is 1-based or None."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class CreditCodeInfo:
    """Components of a valid 统一社会信用代码."""

    code: str
    registration_dept: str  # 登记管理部门 label, e.g. "工商"
    org_category: str  # 机构类别 label, e.g. "企业"
    region_code: str  # 6-digit 登记管理机关行政区划码
    org_id: str  # 9-char 主体标识码 (组织机构代码)

    @property
    def category_code(self) -> str:
        """The 2-char 登记管理部门 + 机构类别 code, e.g. ``"91"``."""
        return self.code[:2]


@dataclass(frozen=True)
class IdNumberInfo:
    """Components of a valid 18-digit 公民身份号码."""

    number: str
    region_code: str
    birth_date: date
    gender: str  # "男" / "女"


# --------------------------------------------------------------------------- helpers


def _normalize(raw: str) -> str:
    """NFKC (full-width → half-width), drop all whitespace, upper-case."""
    return _WHITESPACE_RE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _today() -> date:
    """Today by the project's clock."""
    from govcredit.core import clock

    return clock.today()


def _check_region(region: str, start: int, end: int, *, allow_central: bool) -> None:
    """Validate a 6-digit GB/T 2260 region code occupying positions ``start``–``end``."""
    label = _("第%(start)s–%(end)s位行政区划码“%(region)s”") % {"start": start, "end": end, "region": region}
    if not (len(region) == 6 and region.isascii() and region.isdigit()):
        raise IdentifierError(_("%(label)s应为6位数字") % {"label": label}, start)
    if region == "000000":
        raise IdentifierError(_("%(label)s无效：不能全为0") % {"label": label}, start)
    province = region[:2]
    if province in PROVINCE_CODES:
        return
    if allow_central and province == _CENTRAL_REGION_PREFIX:
        return
    raise IdentifierError(_("%(label)s无效：省级代码“%(province)s”不存在") % {"label": label, "province": province}, start)


# --------------------------------------------------------------------------- 统一社会信用代码


def normalize_credit_code(raw: str) -> str:
    """Return ``raw`` upper-cased, NFKC-normalised (full-width → half-width), without whitespace."""
    return _normalize(raw)


def _check_credit_chars(code: str) -> None:
    for pos, ch in enumerate(code, start=1):
        if ch not in _CREDIT_CODE_VALUES:
            raise IdentifierError(_("第%(pos)s位字符“%(ch)s”不在统一社会信用代码字符集内") % {"pos": pos, "ch": ch}, pos)


def credit_code_check_char(first17: str) -> str:
    """Compute the 18th (check) character for the first 17 characters of a credit code."""
    body = normalize_credit_code(first17)
    if len(body) != 17:
        raise IdentifierError(f"计算校验码需要前17位，实为{len(body)}位")
    _check_credit_chars(body)
    total = sum(_CREDIT_CODE_VALUES[ch] * w for ch, w in zip(body, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> CreditCodeInfo:
    """Validate a 统一社会信用代码 and split it into its parts; raises :class:`IdentifierError`."""
    code = normalize_credit_code(raw)
    if len(code) != 18:
        raise IdentifierError(_("统一社会信用代码应为18位，实为%(n)s位") % {"n": len(code)})
    _check_credit_chars(code)
    prefix = code[:2]
    if prefix not in ORG_CATEGORY_CODES:
        raise IdentifierError(_("第1–2位登记管理部门和机构类别代码“%(prefix)s”无效") % {"prefix": prefix}, 1)
    region = code[2:8]
    _check_region(region, 3, 8, allow_central=True)
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(_("校验码错误：第18位应为“%(expected)s”，实为“%(found)s”") % {"expected": expected, "found": code[17]}, 18)
    return CreditCodeInfo(
        code=code,
        registration_dept=REGISTRATION_DEPT_CODES[prefix[0]],
        org_category=ORG_CATEGORY_CODES[prefix],
        region_code=region,
        org_id=code[8:17],
    )


def is_valid_credit_code(raw: str) -> bool:
    """True if ``raw`` parses as a 统一社会信用代码."""
    try:
        parse_credit_code(raw)
    except IdentifierError:
        return False
    return True


def make_credit_code(prefix2: str, region: str, org_id: str) -> str:
    """Build a valid credit code from a 2-char category, 6-digit region and 9-char 主体标识码."""
    prefix2, region, org_id = (normalize_credit_code(p) for p in (prefix2, region, org_id))
    if len(prefix2) != 2:
        raise IdentifierError(f"登记管理部门和机构类别代码应为2位，实为{len(prefix2)}位", 1)
    if len(region) != 6:
        raise IdentifierError(f"行政区划码应为6位，实为{len(region)}位", 3)
    if len(org_id) != 9:
        raise IdentifierError(f"主体标识码应为9位，实为{len(org_id)}位", 9)
    first17 = prefix2 + region + org_id
    code = first17 + credit_code_check_char(first17)
    parse_credit_code(code)  # validates category and region
    return code


# --------------------------------------------------------------------------- 公民身份号码


def normalize_id_number(raw: str) -> str:
    """Return ``raw`` NFKC-normalised (full-width → half-width), without whitespace, upper-cased (x → X)."""
    return _normalize(raw)


def id_number_check_char(first17: str) -> str:
    """Compute the 18th (check) character for the first 17 digits of an ID number."""
    body = normalize_id_number(first17)
    if len(body) != 17:
        raise IdentifierError(f"计算校验码需要前17位，实为{len(body)}位")
    _check_id_digits(body)
    total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _check_id_digits(body: str) -> None:
    for pos, ch in enumerate(body, start=1):
        if not ("0" <= ch <= "9"):
            raise IdentifierError(_("第%(pos)s位字符“%(ch)s”应为数字") % {"pos": pos, "ch": ch}, pos)


def _check_birth(digits: str, today: date) -> date:
    label = _("第7–14位出生日期“%(digits)s”") % {"digits": digits}
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdentifierError(_("%(label)s不是有效日期") % {"label": label}, 7) from None
    if birth.year < _MIN_BIRTH_YEAR:
        raise IdentifierError(_("%(label)s早于%(year)s年") % {"label": label, "year": _MIN_BIRTH_YEAR}, 7)
    if birth > today:
        raise IdentifierError(_("%(label)s晚于当前日期%(today)s") % {"label": label, "today": f"{today:%Y%m%d}"}, 7)
    return birth


def parse_id_number(raw: str, today: date | None = None) -> IdNumberInfo:
    """Validate an 18-digit 身份证号 and split it; ``today`` bounds the birth date (default: today)."""
    number = normalize_id_number(raw)
    if len(number) != 18:
        raise IdentifierError(_("身份证号应为18位，实为%(n)s位") % {"n": len(number)})
    _check_id_digits(number[:17])
    last = number[17]
    if not ("0" <= last <= "9" or last == "X"):
        raise IdentifierError(_("第18位字符“%(ch)s”应为数字或X") % {"ch": last}, 18)
    region = number[:6]
    _check_region(region, 1, 6, allow_central=False)
    birth = _check_birth(number[6:14], today if today is not None else _today())
    expected = id_number_check_char(number[:17])
    if last != expected:
        raise IdentifierError(_("校验码错误：第18位应为“%(expected)s”，实为“%(found)s”") % {"expected": expected, "found": last}, 18)
    return IdNumberInfo(
        number=number,
        region_code=region,
        birth_date=birth,
        gender="男" if int(number[16]) % 2 == 1 else "女",
    )


def is_valid_id_number(raw: str, today: date | None = None) -> bool:
    """True if ``raw`` parses as an 18-digit 身份证号."""
    try:
        parse_id_number(raw, today)
    except IdentifierError:
        return False
    return True


def make_id_number(region: str, birth: date, seq: int) -> str:
    """Build a valid ID number: region + YYYYMMDD + 3-digit ``seq`` (0..999) + check digit.

    ``seq`` parity decides the gender (odd = 男). Future birth dates are not rejected here.
    """
    region = normalize_id_number(region)
    _check_region(region, 1, 6, allow_central=False)
    if not 0 <= seq <= 999:
        raise IdentifierError(f"顺序码应在0–999之间，实为{seq}", 15)
    digits = f"{birth:%Y%m%d}"
    _check_birth(digits, max(birth, _today()))
    first17 = f"{region}{digits}{seq:03d}"
    return first17 + id_number_check_char(first17)


# --------------------------------------------------------------------------- masking


def mask_id_number(number: str) -> str:
    """Mask an ID number for display: 18-char → first 4 + 10 ``*`` + last 4; otherwise keep last 2."""
    value = normalize_id_number(number)
    if _ID_BODY_RE.fullmatch(value):
        return value[:4] + "*" * 10 + value[-4:]
    if len(value) <= 2:
        return "*" * len(value)
    return "*" * (len(value) - 2) + value[-2:]


def mask_name(name: str) -> str:
    """Mask a personal name: "张三"→"张*", "张小明"→"张*明", 4+ chars keep first and last."""
    value = name.strip()
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_phone(phone: str) -> str:
    """Mask a phone number: 11+ digits → first 3 + ``*`` + last 4; shorter → only last 4 shown."""
    value = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", phone))
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


# Personal numbers inside free text. A "chain" is digits (any Unicode decimal digits, so full-width ones too)
# in groups joined by up to three separators — spaces of any kind, dots, hyphens and dashes, slashes,
# underscores, middle dots, zero-width characters — with an optional check character X at the end:
# 3201 0219 9003 0500 17, 138.2222.3333, 139-1234-5678, ０２５－８４５６１２３４.
_SEPARATOR = r"[\s.\-_/·・．－‐‑‒–—―﹣_／\u200b-\u200d\u2060\ufeff]"
# Characters that are no decimal digits but read as one (¹ ₂ ③ ⒋): NFKC turns each into a single digit.
_DIGIT_LIKE = "".join(c for c in map(chr, [*range(0x80, 0x3000), *range(0xFF00, 0xFFF0), *range(0x1F100, 0x1F10B)])
                      if not c.isdecimal() and re.fullmatch(r"[0-9]\.?", unicodedata.normalize("NFKC", c)))
_D = rf"[\d{re.escape(_DIGIT_LIKE)}]"
_CHAIN = re.compile(rf"{_D}+(?:{_SEPARATOR}{{1,3}}{_D}+)*(?:{_SEPARATOR}{{0,3}}[XxＸｘ](?![A-Za-z]))?")
_DIGIT = re.compile(_D)
# Dates at either end of a chain stay as they are (2026-10-08, 2026.1.8, 20261008; a range of them).
_DATE = r"(?:19|20)\d\d(?P<s{n}>[.\-/])\d{{1,2}}(?P=s{n})\d{{1,2}}|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_LEADING_DATES = re.compile(rf"(?:(?:{_DATE.format(n=1)}){_SEPARATOR}{{1,3}})+")
_ONLY_DATE = re.compile(rf"(?:{_DATE.format(n=1)})")
_TRAILING_DATES = re.compile(rf"(?:{_SEPARATOR}{{1,3}}(?:{_DATE.format(n=1)}))+$")
#: A chain with at least this many digits is personal (a mobile number has 11, an ID number 15 or 18).
PERSONAL_DIGITS = 11


def _ascii_digits(text: str) -> str:
    """Each digit as its ASCII digit, X variants as X, everything else kept (one character for one)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else unicodedata.normalize("NFKC", c)[0]
                   if c in _DIGIT_LIKE else "X" if c in "XxＸｘ" else c for c in text)


def _mask_chain(match: re.Match[str]) -> str:
    chain = match.group(0)
    plain = _ascii_digits(chain)
    lead = _LEADING_DATES.match(plain)
    start = lead.end() if lead else 0
    if _ONLY_DATE.fullmatch(plain, start):
        return chain
    trail = _TRAILING_DATES.search(plain, start)
    end = trail.start() if trail else len(plain)
    number = re.sub(r"[^0-9X]", "", plain[start:end])
    if len(number) < PERSONAL_DIGITS:
        return chain
    # 15+ characters: ID numbers and the like (first 4 and last 4 of 18 kept); shorter: phone-style.
    masked = mask_id_number(number) if len(number) >= 15 else mask_phone(number)
    return chain[:start] + masked + chain[end:]


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Free text with its personal data masked: the one function for every text the public may see.

    * ``names`` — full names of the natural persons the text is about — are replaced by their masked form
      wherever they occur (longest first, so 王二小 is not left as 王*小 inside 王二小明);
    * every chain of 11 or more digits, however it is spaced, dotted, dashed or written (full-width, other
      scripts' digits, superscript or circled digits), is masked whole, except dates at its ends: ID numbers (``3201**********1234``), mobile numbers
      (``138****5678``), landlines with their area code, bank accounts.

    The result contains no 11-digit run and no name from ``names``, and masking it again changes nothing.
    """
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        if name in text:
            text = text.replace(name, mask_name(name))
    if not text or not _DIGIT.search(text):  # most names and many texts: no numbers to mask
        return text
    return _CHAIN.sub(_mask_chain, text)


# --------------------------------------------------------------------------- Django validators


def validate_credit_code_field(value: str) -> None:
    """Django field validator: raise ``ValidationError`` with the Chinese message if invalid."""
    from django.core.exceptions import ValidationError

    try:
        parse_credit_code(value)
    except IdentifierError as exc:
        raise ValidationError(exc.message, code="invalid_credit_code") from exc


def validate_id_number_field(value: str) -> None:
    """Django field validator: raise ``ValidationError`` with the Chinese message if invalid."""
    from django.core.exceptions import ValidationError

    try:
        parse_id_number(value)
    except IdentifierError as exc:
        raise ValidationError(exc.message, code="invalid_id_number") from exc
