"""Number plates and plate colours: GA 36-2018 (domain-rules §10)."""

import pytest

from service.rules import (
    PLATE_COLORS,
    normalise_plate,
    normalise_plate_color,
    plate_is_valid,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        pytest.param("鲁H·98822挂", "鲁H98822挂", id="GA36 §10.1 strip · separator"),
        pytest.param(" 吉a 12345 ", "吉A12345", id="GA36 §10.1 strip spaces, uppercase"),
        pytest.param("吉A•12345", "吉A12345", id="GA36 §10.1 strip • bullet"),
        pytest.param("吉A.12345", "吉A12345", id="GA36 §10.1 strip . full stop"),
        pytest.param("吉A．12345", "吉A12345", id="GA36 §10.1 strip full-width ．"),
        pytest.param(
            "京ＡＢ１２３４",
            "京AB1234",
            id="GA36 §10.1 full-width letters and digits → half-width",
        ),
        pytest.param("京\u3000AB1234", "京AB1234", id="GA36 §10.1 ideographic space"),
        pytest.param("", None, id="empty → None"),
        pytest.param(" · ", None, id="only separators → None"),
        pytest.param(None, None, id="None → None"),
    ],
)
def test_normalise_plate(raw, expected):
    assert normalise_plate(raw) == expected


@pytest.mark.parametrize(
    "plate",
    [
        pytest.param("吉A12345", id="GA36 ordinary 7-char"),
        pytest.param("京AB1234", id="GA36 ordinary with letter in serial"),
        pytest.param("京ＡＢ１２３４", id="GA36 ordinary full-width input"),
        pytest.param("吉B1234挂", id="GA36 trailer 挂 suffix"),
        pytest.param("鲁H·9882挂", id="GA36 trailer with · separator"),
        pytest.param("吉A1234学", id="GA36 coach 学 suffix"),
        pytest.param("吉A1234警", id="GA36 police 警 suffix"),
        pytest.param("粤Z1234港", id="GA36 Hong Kong cross-border 港 suffix"),
        pytest.param("粤Z1234澳", id="GA36 Macau cross-border 澳 suffix"),
        pytest.param("沪A1234领", id="GA36 §10.1 consulate 领 suffix"),
        pytest.param("豫ED12345", id="GA36 small NEV D + digit + 4 digits (CONTRACT example)"),
        pytest.param("粤AD12345", id="GA36 small NEV D pure electric"),
        pytest.param("粤AFA2345", id="GA36 small NEV F then letter"),
        pytest.param("粤A12345D", id="GA36 large NEV 5 digits + D"),
        pytest.param("粤A12345F", id="GA36 large NEV 5 digits + F"),
        pytest.param("粤AA12345", id="§10.1 expanded NEV small A (2024 validators)"),
        pytest.param("粤A12345K", id="§10.1 expanded NEV large K (2024 validators)"),
        pytest.param("吉a12345", id="GA36 lower-case input uppercased"),
    ],
)
def test_valid_plates(plate):
    assert plate_is_valid(plate) is True


@pytest.mark.parametrize(
    "plate",
    [
        pytest.param("吉A12O45", id="GA36 letter O not allowed in serial"),
        pytest.param("吉A1234I", id="GA36 letter I not allowed in serial"),
        pytest.param("吉A1234", id="GA36 6 characters too short"),
        pytest.param("吉A123456", id="GA36 8 characters not NEV"),
        pytest.param("台A12345", id="GA36 台 is not one of the 31 provinces"),
        pytest.param("XA12345", id="GA36 first character must be a province"),
        pytest.param("吉112345", id="GA36 authority code must be a letter"),
        pytest.param("鲁H98822挂", id="GA36 trailer with 5-digit serial + 挂 is 8 chars"),
        pytest.param("粤AD1234X", id="GA36 small NEV last 4 must be digits"),
        pytest.param("粤AX12345", id="GA36 NEV energy letter X not allowed"),
        pytest.param("粤A1234DD", id="GA36 large NEV first 5 of serial must be digits"),
        pytest.param("", id="empty"),
        pytest.param(None, id="None (unread)"),
    ],
)
def test_invalid_plates(plate):
    assert plate_is_valid(plate) is False


def test_plate_colour_codes():
    assert PLATE_COLORS == ("yellow", "blue", "green", "yellow_green", "white", "black")


@pytest.mark.parametrize(
    "raw, code",
    [
        *[pytest.param(c, c, id=f"GA36 §10.2 English {c}") for c in PLATE_COLORS],
        pytest.param("黄", "yellow", id="GA36 §10.2 黄 yellow"),
        pytest.param("蓝", "blue", id="GA36 §10.2 蓝 blue"),
        pytest.param("绿", "green", id="GA36 §10.2 绿 green"),
        pytest.param("渐变绿", "green", id="GA36 §10.2 渐变绿 small NEV → green"),
        pytest.param("黄绿", "yellow_green", id="GA36 §10.2 黄绿 yellow_green"),
        pytest.param(
            "黄绿双拼",
            "yellow_green",
            id="GA36 §10.2 黄绿双拼 large NEV → yellow_green",
        ),
        pytest.param("白", "white", id="GA36 §10.2 白 white"),
        pytest.param("黑", "black", id="GA36 §10.2 黑 black"),
        pytest.param("黄色", "yellow", id="GA36 §10.2 黄色 with 色"),
        pytest.param(" Yellow ", "yellow", id="GA36 §10.2 case and spaces"),
        pytest.param("yellow-green", "yellow_green", id="GA36 §10.2 hyphenated yellow-green"),
    ],
)
def test_normalise_plate_color(raw, code):
    assert normalise_plate_color(raw) == code


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("red", id="red is not a plate colour here"),
        pytest.param("红", id="红 not accepted"),
        pytest.param("", id="empty"),
        pytest.param(None, id="None"),
        pytest.param(1, id="ETC numeric code not accepted"),
    ],
)
def test_unknown_plate_colour_is_refused(raw):
    with pytest.raises(ValueError):
        normalise_plate_color(raw)
