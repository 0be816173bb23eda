"""Tests for govcredit.subjects.identifiers (pure Python, no database)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from govcredit.subjects import identifiers as ids
from govcredit.subjects.identifiers import (
    CREDIT_CODE_CHARSET,
    ORG_CATEGORY_CODES,
    PROVINCE_CODES,
    CreditCodeInfo,
    IdentifierError,
    IdNumberInfo,
    credit_code_check_char,
    id_number_check_char,
    is_valid_credit_code,
    is_valid_id_number,
    make_credit_code,
    make_id_number,
    mask_id_number,
    mask_name,
    mask_phone,
    normalize_credit_code,
    parse_credit_code,
    parse_id_number,
)

TODAY = date(2025, 6, 1)

# Real codes whose check characters are confirmed both by the algorithm and independently:
#  * 91350100M000100Y43 — the worked example printed in GB 32100-2015 itself.
#  * 91110000802100433B — 北京百度网讯科技有限公司 (org code 802100433), as published in many
#    public enterprise-registry extracts.
REAL_CREDIT_CODES = ["91350100M000100Y43", "91110000802100433B"]
# GB 11643-1999 worked examples.
STANDARD_ID_EXAMPLE = "11010519491231002X"
STANDARD_ID_EXAMPLE_1880 = "440524188001010014"  # the standard's example, born 1880


def _raises(func: Callable[..., object], *args: Any, **kwargs: Any) -> IdentifierError:
    with pytest.raises(IdentifierError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value


# --------------------------------------------------------------------------- credit code: valid


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code: str) -> None:
    assert credit_code_check_char(code[:17]) == code[17]
    info = parse_credit_code(code)
    assert info.code == code
    assert is_valid_credit_code(code)


def test_parse_standard_example_parts() -> None:
    info = parse_credit_code("91350100M000100Y43")
    assert info == CreditCodeInfo(
        code="91350100M000100Y43",
        registration_dept="工商",
        org_category="企业",
        region_code="350100",
        org_id="M000100Y4",
    )
    assert info.category_code == "91"


def test_parse_credit_code_lowercase_whitespace_and_fullwidth() -> None:
    assert parse_credit_code("  91350100m000100y43\n").code == "91350100M000100Y43"
    assert parse_credit_code("9135 0100 M000 100Y 43").code == "91350100M000100Y43"
    fullwidth = "９１３５０１００ｍ０００１００ｙ４３"
    assert normalize_credit_code(fullwidth) == "91350100M000100Y43"
    assert parse_credit_code("\u3000" + fullwidth + "\u3000").code == "91350100M000100Y43"


def test_org_category_table() -> None:
    assert len(ORG_CATEGORY_CODES) == 36
    assert ORG_CATEGORY_CODES["11"] == "机关"
    assert ORG_CATEGORY_CODES["52"] == "民办非企业单位"
    assert ORG_CATEGORY_CODES["92"] == "个体工商户"
    assert ORG_CATEGORY_CODES["N2"] == "村级集体经济组织"
    assert ORG_CATEGORY_CODES["A1"] == "军队事业单位"
    assert "Y1" in ORG_CATEGORY_CODES
    for key in ORG_CATEGORY_CODES:
        assert len(key) == 2 and all(ch in CREDIT_CODE_CHARSET for ch in key)
        assert key[0] in ids.REGISTRATION_DEPT_CODES


@pytest.mark.parametrize("prefix", sorted(ORG_CATEGORY_CODES))
def test_every_category_prefix_builds_and_parses(prefix: str) -> None:
    code = make_credit_code(prefix, "320100", "MA1234567")
    info = parse_credit_code(code)
    assert info.org_category == ORG_CATEGORY_CODES[prefix]
    assert info.registration_dept == ids.REGISTRATION_DEPT_CODES[prefix[0]]


def test_central_region_100000_accepted_for_credit_codes() -> None:
    code = make_credit_code("11", "100000", "000013127")
    assert parse_credit_code(code).region_code == "100000"


# --------------------------------------------------------------------------- credit code: errors


@pytest.mark.parametrize(("raw", "length"), [("91350100M000100Y4", 17), ("91350100M000100Y433", 19), ("", 0)])
def test_credit_code_wrong_length(raw: str, length: int) -> None:
    err = _raises(parse_credit_code, raw)
    assert err.message == f"统一社会信用代码应为18位，实为{length}位"
    assert err.position is None
    assert str(err) == err.message
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V", "-", "中"])
def test_credit_code_bad_char_with_position(bad: str) -> None:
    code = "9135" + bad + "100M000100Y43"
    err = _raises(parse_credit_code, code)
    assert err.message == f"第5位字符“{bad}”不在统一社会信用代码字符集内"
    assert err.position == 5


def test_credit_code_bad_char_lowercase_reported_uppercased() -> None:
    err = _raises(parse_credit_code, "91350100M000100Y4o")
    assert err.message == "第18位字符“O”不在统一社会信用代码字符集内"
    assert err.position == 18


@pytest.mark.parametrize("prefix", ["X9", "94", "10", "00", "14", "A2", "N4", "Y2", "B1"])
def test_credit_code_unknown_category(prefix: str) -> None:
    err = _raises(parse_credit_code, prefix + "350100M000100Y43")
    assert err.message == f"第1–2位登记管理部门和机构类别代码“{prefix}”无效"
    assert err.position == 1


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("000000", "第3–8位行政区划码“000000”无效：不能全为0"),
        ("990100", "第3–8位行政区划码“990100”无效：省级代码“99”不存在"),
        ("200100", "第3–8位行政区划码“200100”无效：省级代码“20”不存在"),
        ("3501A0", "第3–8位行政区划码“3501A0”应为6位数字"),
    ],
)
def test_credit_code_bad_region(region: str, message: str) -> None:
    first17 = "91" + region + "M000100Y4"
    code = first17 + credit_code_check_char(first17)
    err = _raises(parse_credit_code, code)
    assert err.message == message
    assert err.position == 3


def test_credit_code_wrong_check_char_names_expected() -> None:
    err = _raises(parse_credit_code, "91350100M000100Y4X")
    assert err.message == "校验码错误：第18位应为“3”，实为“X”"
    assert err.position == 18
    # A code circulating with a wrong check character: the algorithm expects "L".
    err = _raises(parse_credit_code, "11320100002495046Q")
    assert err.message == "校验码错误：第18位应为“L”，实为“Q”"


def test_credit_code_any_single_substitution_detected() -> None:
    code = "91350100M000100Y43"
    for pos in range(18):
        for ch in CREDIT_CODE_CHARSET:
            if ch == code[pos]:
                continue
            mutated = code[:pos] + ch + code[pos + 1 :]
            assert not is_valid_credit_code(mutated), mutated


def test_credit_code_adjacent_transposition_detected() -> None:
    for code in REAL_CREDIT_CODES:
        for pos in range(17):
            if code[pos] == code[pos + 1]:
                continue
            swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
            assert not is_valid_credit_code(swapped), swapped


def test_credit_code_check_char_rejects_bad_input() -> None:
    assert _raises(credit_code_check_char, "9135").message == "计算校验码需要前17位，实为4位"
    assert _raises(credit_code_check_char, "91350100M000100YI").position == 17


@pytest.mark.parametrize(
    ("args", "position"),
    [
        (("9", "350100", "M000100Y4"), 1),
        (("91", "35010", "M000100Y4"), 3),
        (("91", "350100", "M000100Y"), 9),
        (("91", "350100", "M000100YI"), 17),
        (("X9", "350100", "M000100Y4"), 1),
        (("91", "990100", "M000100Y4"), 3),
    ],
)
def test_make_credit_code_rejects_bad_parts(args: tuple[str, str, str], position: int) -> None:
    assert _raises(make_credit_code, *args).position == position


def test_make_credit_code_reproduces_real_codes() -> None:
    assert make_credit_code("91", "350100", "M000100Y4") == "91350100M000100Y43"
    assert make_credit_code("91", "110000", "802100433") == "91110000802100433B"
    assert make_credit_code("91", "350100", "m000100y4") == "91350100M000100Y43"


def test_make_credit_code_round_trip_property() -> None:
    rng = random.Random(20150601)
    prefixes = sorted(ORG_CATEGORY_CODES)
    provinces = sorted(PROVINCE_CODES)
    for _ in range(2000):
        prefix = rng.choice(prefixes)
        region = rng.choice(provinces) + f"{rng.randrange(10000):04d}"
        if region == "000000":
            continue
        org_id = "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
        code = make_credit_code(prefix, region, org_id)
        assert len(code) == 18
        info = parse_credit_code(code.lower())
        assert (info.code, info.region_code, info.org_id) == (code, region, org_id)
        assert info.category_code == prefix
        # Any other final character must be rejected, naming the right one.
        wrong = next(ch for ch in CREDIT_CODE_CHARSET if ch != code[17])
        err = _raises(parse_credit_code, code[:17] + wrong)
        assert err.message == f"校验码错误：第18位应为“{code[17]}”，实为“{wrong}”"


# --------------------------------------------------------------------------- ID number: valid


def test_standard_id_example() -> None:
    assert id_number_check_char(STANDARD_ID_EXAMPLE[:17]) == "X"
    info = parse_id_number(STANDARD_ID_EXAMPLE, today=TODAY)
    assert info == IdNumberInfo(
        number="11010519491231002X", region_code="110105", birth_date=date(1949, 12, 31), gender="女"
    )


def test_standard_1880_example_is_valid_and_older_dates_are_not() -> None:
    assert id_number_check_char(STANDARD_ID_EXAMPLE_1880[:17]) == "4"
    info = parse_id_number(STANDARD_ID_EXAMPLE_1880, today=TODAY)
    assert (info.birth_date, info.gender) == (date(1880, 1, 1), "男")
    body = "44052417990101001"
    err = _raises(parse_id_number, body + id_number_check_char(body), today=TODAY)
    assert err.message == "第7–14位出生日期“17990101”早于1800年"
    assert err.position == 7


def test_id_number_lowercase_x_and_fullwidth() -> None:
    assert parse_id_number("11010519491231002x", today=TODAY).number == STANDARD_ID_EXAMPLE
    assert (
        parse_id_number(" １１０１０５１９４９１２３１００２ｘ ", today=TODAY).number == STANDARD_ID_EXAMPLE
    )


def test_id_number_gender_from_17th_digit() -> None:
    male = make_id_number("320102", date(1990, 1, 1), 123)
    female = make_id_number("320102", date(1990, 1, 1), 124)
    assert parse_id_number(male, today=TODAY).gender == "男"
    assert parse_id_number(female, today=TODAY).gender == "女"


def test_id_number_default_today_accepts_past_dates() -> None:
    assert is_valid_id_number(STANDARD_ID_EXAMPLE)
    assert parse_id_number(STANDARD_ID_EXAMPLE).birth_date == date(1949, 12, 31)


# --------------------------------------------------------------------------- ID number: errors


@pytest.mark.parametrize(("raw", "length"), [("11010519491231002", 17), ("110105194912310", 15), ("", 0)])
def test_id_number_wrong_length(raw: str, length: int) -> None:
    err = _raises(parse_id_number, raw, today=TODAY)
    assert err.message == f"身份证号应为18位，实为{length}位"
    assert err.position is None


def test_id_number_non_digit_with_position() -> None:
    err = _raises(parse_id_number, "1101A519491231002X", today=TODAY)
    assert err.message == "第5位字符“A”应为数字"
    assert err.position == 5
    err = _raises(parse_id_number, "11010519491231002Y", today=TODAY)
    assert err.message == "第18位字符“Y”应为数字或X"
    assert err.position == 18


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("990101", "第1–6位行政区划码“990101”无效：省级代码“99”不存在"),
        ("100000", "第1–6位行政区划码“100000”无效：省级代码“10”不存在"),
        ("000000", "第1–6位行政区划码“000000”无效：不能全为0"),
    ],
)
def test_id_number_bad_region(region: str, message: str) -> None:
    first17 = region + "19900101123"
    err = _raises(parse_id_number, first17 + id_number_check_char(first17), today=TODAY)
    assert err.message == message
    assert err.position == 1


@pytest.mark.parametrize("birth", ["19990231", "19900230", "19901301", "19900100", "19000229"])
def test_id_number_invalid_birth_date(birth: str) -> None:
    first17 = "320102" + birth + "123"
    err = _raises(parse_id_number, first17 + id_number_check_char(first17), today=TODAY)
    assert err.message == f"第7–14位出生日期“{birth}”不是有效日期"
    assert err.position == 7


def test_id_number_leap_day_ok() -> None:
    number = make_id_number("320102", date(2000, 2, 29), 1)
    assert parse_id_number(number, today=TODAY).birth_date == date(2000, 2, 29)


def test_id_number_future_birth_date_relative_to_today() -> None:
    number = make_id_number("320102", TODAY + timedelta(days=1), 5)
    err = _raises(parse_id_number, number, today=TODAY)
    assert err.message == "第7–14位出生日期“20250602”晚于当前日期20250601"
    assert err.position == 7
    # Born today is fine; the same number is valid once that day arrives.
    assert parse_id_number(make_id_number("320102", TODAY, 5), today=TODAY).birth_date == TODAY
    assert parse_id_number(number, today=TODAY + timedelta(days=1)).birth_date == TODAY + timedelta(days=1)


def test_id_number_wrong_check_char_names_expected() -> None:
    err = _raises(parse_id_number, "110105194912310023", today=TODAY)
    assert err.message == "校验码错误：第18位应为“X”，实为“3”"
    assert err.position == 18


def test_id_number_any_single_digit_substitution_detected() -> None:
    for pos in range(17):
        for digit in "0123456789":
            if digit == STANDARD_ID_EXAMPLE[pos]:
                continue
            mutated = STANDARD_ID_EXAMPLE[:pos] + digit + STANDARD_ID_EXAMPLE[pos + 1 :]
            assert not is_valid_id_number(mutated, today=TODAY), mutated


def test_id_number_check_char_rejects_bad_input() -> None:
    assert _raises(id_number_check_char, "1101").message == "计算校验码需要前17位，实为4位"
    assert _raises(id_number_check_char, "1101051949123100A").position == 17


def test_make_id_number_rejects_bad_input() -> None:
    assert _raises(make_id_number, "320102", date(1990, 1, 1), 1000).position == 15
    assert _raises(make_id_number, "320102", date(1990, 1, 1), -1).position == 15
    assert _raises(make_id_number, "990102", date(1990, 1, 1), 1).position == 1
    assert _raises(make_id_number, "32010", date(1990, 1, 1), 1).position == 1
    assert _raises(make_id_number, "320102", date(1799, 12, 31), 1).position == 7


def test_make_id_number_reproduces_standard_example() -> None:
    assert make_id_number("110105", date(1949, 12, 31), 2) == STANDARD_ID_EXAMPLE


def test_make_id_number_round_trip_property() -> None:
    rng = random.Random(11643)
    provinces = sorted(PROVINCE_CODES)
    start = date(1900, 1, 1)
    span = (TODAY - start).days
    for _ in range(3000):
        region = rng.choice(provinces) + f"{rng.randrange(10000):04d}"
        birth = start + timedelta(days=rng.randrange(span + 1))
        seq = rng.randrange(1000)
        number = make_id_number(region, birth, seq)
        info = parse_id_number(number.lower(), today=TODAY)
        assert info.number == number
        assert info.region_code == region
        assert info.birth_date == birth
        assert number[14:17] == f"{seq:03d}"
        assert info.gender == ("男" if seq % 2 else "女")


# --------------------------------------------------------------------------- masking


def test_mask_id_number_18_digits() -> None:
    assert mask_id_number("320102199001011234") == "3201**********1234"
    assert mask_id_number("11010519491231002x") == "1101**********002X"


def test_mask_id_number_short_or_invalid() -> None:
    assert mask_id_number("110105491231002") == "*************02"
    assert mask_id_number("ABC123") == "****23"
    assert mask_id_number("12") == "**"
    assert mask_id_number("") == ""


def test_mask_id_number_never_leaks_middle_digits() -> None:
    rng = random.Random(7)
    for _ in range(500):
        number = make_id_number(
            rng.choice(sorted(PROVINCE_CODES)) + f"{rng.randrange(10000):04d}",
            date(1950, 1, 1) + timedelta(days=rng.randrange(25000)),
            rng.randrange(1000),
        )
        masked = mask_id_number(number)
        assert len(masked) == 18
        assert masked[4:14] == "*" * 10
        assert masked[:4] == number[:4] and masked[14:] == number[14:]
        assert number[6:14] not in masked  # birth date hidden


def test_mask_name() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("阿卜杜拉·买买提") == "阿******提"
    assert mask_name(" 李四 ") == "李*"
    assert mask_name("王") == "*"
    assert mask_name("") == ""


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86*******5678"
    assert mask_phone("12345678") == "****5678"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == ""


def test_mask_phone_never_leaks_middle_digits() -> None:
    rng = random.Random(3)
    for _ in range(500):
        phone = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        masked = mask_phone(phone)
        assert masked == phone[:3] + "****" + phone[7:]


# --------------------------------------------------------------------------- Django validators


def test_django_field_validators() -> None:
    from django.core.exceptions import ValidationError

    ids.validate_credit_code_field("91350100M000100Y43")
    ids.validate_id_number_field(STANDARD_ID_EXAMPLE)
    with pytest.raises(ValidationError) as excinfo:
        ids.validate_credit_code_field("91350100M000100Y4X")
    assert excinfo.value.messages == ["校验码错误：第18位应为“3”，实为“X”"]
    assert excinfo.value.code == "invalid_credit_code"
    with pytest.raises(ValidationError) as excinfo:
        ids.validate_id_number_field("11010519990231002X")
    assert excinfo.value.messages == ["第7–14位出生日期“19990231”不是有效日期"]
    assert excinfo.value.code == "invalid_id_number"
