"""Party identifiers: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999).

Both end in a check character, so a mistyped digit is caught before a case names the
wrong enterprise or person. Input is normalised first (whitespace removed, upper case).
"""

from __future__ import annotations

from datetime import date

# GB 32100-2015: the 31 code characters, each worth its index; I, O, Z, S and V are not used.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (1-based) is 3^(i−1) mod 31.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i is 2^(18−i) mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11


def _normalise(text: str) -> str:
    return "".join(text.split()).upper()


def normalise_uscc(code: str) -> str:
    """The code as stored: whitespace removed, upper case (not validated)."""
    return _normalise(code)


def uscc_check_digit(first17: str) -> str:
    """The 18th character for the first 17 of a 统一社会信用代码.

    check = 31 − (Σ value × weight mod 31), where 31 is written '0'.
    Raises ValueError unless `first17` is 17 characters of ``USCC_ALPHABET``.
    """
    body = _normalise(first17)
    if len(body) != 17 or any(ch not in USCC_ALPHABET for ch in body):
        raise ValueError("a 统一社会信用代码 body is 17 characters of 0-9 and A-Y without I, O, Z, S, V")
    total = sum(USCC_ALPHABET.index(ch) * weight for ch, weight in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_is_valid(code: str) -> bool:
    """18 characters of the GB 32100 alphabet whose last one is the check character."""
    code = _normalise(code)
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    return uscc_check_digit(code[:17]) == code[17]


def _birth_date_exists(id_no: str) -> bool:
    try:
        date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))
    except ValueError:
        return False
    return True


def identity_number_is_valid(id_no: str) -> bool:
    """An 18-character 公民身份号码: 17 digits with a real birth date, then the MOD 11-2 check."""
    id_no = _normalise(id_no)
    if len(id_no) != 18 or not id_no[:17].isascii() or not id_no[:17].isdigit():
        return False
    if not _birth_date_exists(id_no):
        return False
    total = sum(int(ch) * weight for ch, weight in zip(id_no[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11] == id_no[17]


def mask_identity_number(id_no: str) -> str:
    """For display: the first 3 and last 4 characters, '*' for the rest (same length).

    A value of 7 characters or fewer cannot keep 3 + 4 and still hide anything, so it is
    masked entirely.
    """
    id_no = _normalise(id_no)
    if len(id_no) <= 7:
        return "*" * len(id_no)
    return id_no[:3] + "*" * (len(id_no) - 7) + id_no[-4:]
