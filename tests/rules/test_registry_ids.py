"""Party identifiers: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999)."""

import pytest

from service.rules import (
    identity_number_is_valid,
    mask_identity_number,
    normalise_uscc,
    uscc_check_digit,
    uscc_is_valid,
)

# The GB 32100-2015 worked example. By hand: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4,
# weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 → Σ = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
GB_EXAMPLE = "91350100M000100Y43"
# Σ = 1550 = 50 × 31, so 31 − 0 = 31, written '0'.
CHECK_ZERO = "91350100MA2Y000250"
# Check value 30 is the last character of the alphabet, 'Y'.
CHECK_Y = "91350100MA2Y00015Y"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(GB_EXAMPLE, id="GB32100 worked example"),
        pytest.param("91110000600037341L", id="GB32100 letter check L"),
        pytest.param("91440300708461136T", id="GB32100 letter check T"),
        pytest.param(CHECK_ZERO, id="GB32100 Σ mod 31 = 0 → check '0'"),
        pytest.param(CHECK_Y, id="GB32100 check value 30 → 'Y'"),
        pytest.param(" 9135 0100m000100y43\n", id="GB32100 spaces and lower case normalised"),
    ],
)
def test_uscc_valid(code):
    assert uscc_is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y44", id="GB32100 wrong check character"),
        pytest.param("91350100M000100Y4Y", id="GB32100 check of a neighbour value"),
        pytest.param("91350100MA2Y00025Y", id="GB32100 31 must be written 0, not Y"),
        pytest.param("91350100M000100Y4", id="GB32100 17 characters"),
        pytest.param("91350100M000100Y433", id="GB32100 19 characters"),
        pytest.param("91350100I000100Y43", id="GB32100 I not in the alphabet"),
        pytest.param("91350100O000100Y43", id="GB32100 O not in the alphabet"),
        pytest.param("91350100Z000100Y43", id="GB32100 Z not in the alphabet"),
        pytest.param("91350100S000100Y43", id="GB32100 S not in the alphabet"),
        pytest.param("91350100V000100Y43", id="GB32100 V not in the alphabet"),
        pytest.param("91350100M000100Y4-", id="GB32100 punctuation"),
        pytest.param("", id="GB32100 empty"),
    ],
)
def test_uscc_invalid(code):
    assert not uscc_is_valid(code)


@pytest.mark.parametrize(
    "first17, check",
    [
        pytest.param(GB_EXAMPLE[:17], "3", id="GB32100 example → 3"),
        pytest.param(CHECK_ZERO[:17], "0", id="GB32100 31 → 0"),
        pytest.param(CHECK_Y[:17], "Y", id="GB32100 30 → Y"),
        pytest.param("9111 0000 6000 3734 1", "L", id="GB32100 body normalised"),
    ],
)
def test_uscc_check_digit(first17, check):
    assert uscc_check_digit(first17) == check


@pytest.mark.parametrize(
    "first17",
    [
        pytest.param("91350100M000100Y", id="16 characters"),
        pytest.param("91350100M000100Y43", id="18 characters"),
        pytest.param("91350100I000100Y4", id="I in the body"),
    ],
)
def test_uscc_check_digit_refuses_a_bad_body(first17):
    with pytest.raises(ValueError):
        uscc_check_digit(first17)


def test_normalise_uscc():
    assert normalise_uscc(" 9135 0100m000100y43 ") == GB_EXAMPLE


# GB 11643-1999's example: 11010519491231002X.
@pytest.mark.parametrize(
    "id_no, valid",
    [
        pytest.param("11010519491231002X", True, id="GB11643 example, check X"),
        pytest.param("11010519491231002x", True, id="GB11643 lower-case x normalised"),
        pytest.param("110105 19491231 002X", True, id="GB11643 spaces removed"),
        pytest.param("440524188001010014", True, id="GB11643 digit check 4"),
        pytest.param("11010520240229002X", True, id="GB11643 born 29 Feb of a leap year"),
        pytest.param("110105194912310021", False, id="GB11643 wrong check digit"),
        pytest.param("110105194912310020", False, id="GB11643 neighbour check digit"),
        pytest.param("110105194902300020", False, id="GB11643 correct check but 30 Feb birth date"),
        pytest.param("110105202302290022", False, id="GB11643 correct check but 29 Feb of a common year"),
        pytest.param("11010519491231002", False, id="GB11643 17 characters"),
        pytest.param("110105491231002", False, id="GB11643 old 15-digit number"),
        pytest.param("1101051949123100X2", False, id="GB11643 X before the last place"),
        pytest.param("１10105194912310021", False, id="GB11643 full-width digit"),
    ],
)
def test_identity_number(id_no, valid):
    assert identity_number_is_valid(id_no) is valid


@pytest.mark.parametrize(
    "id_no, masked",
    [
        pytest.param("11010519491231002X", "110***********002X", id="mask 18: first 3 and last 4"),
        pytest.param(" 11010519491231002x ", "110***********002X", id="mask normalises first"),
        pytest.param("110105491231002", "110********1002", id="mask 15-digit number keeps its length"),
        pytest.param("1234567", "*******", id="mask 7 characters or fewer entirely"),
        pytest.param("", "", id="mask empty"),
    ],
)
def test_mask_identity_number(id_no, masked):
    assert mask_identity_number(id_no) == masked
