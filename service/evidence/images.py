"""Decode, thumbnail and watermark evidence images (证据图像). Pure helpers for the workers.

Uploaded bytes are hostile until proven otherwise: only Pillow's JPEG and PNG decoders
ever parse them, the pixel count is capped (a decompression bomb is an error, not a
warning), and every decode failure becomes an `EvidenceDefect` whose reason an officer
can read. The original bytes are never modified; thumbnails and watermarked copies are
new JPEGs derived from the decoded image.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal
from io import BytesIO
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFile, ImageFont, ImageOps, UnidentifiedImageError

from service.evidence.fonts import load_font, missing_glyphs

log = logging.getLogger(__name__)

ALLOWED_FORMATS = frozenset({"JPEG", "PNG"})
MAX_PIXELS = 50_000_000  # 50 MP: well above any enforcement camera, far below a bomb
# A multi-picture JPEG (MPO) is a JPEG whose first frame is an ordinary JPEG.
_FORMAT_ALIASES = {"MPO": "JPEG"}
# Named only to tell the officer what was sent; these bytes never reach a decoder.
_OTHER_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"GIF87a", 0, "GIF"),
    (b"GIF89a", 0, "GIF"),
    (b"BM", 0, "BMP"),
    (b"II*\x00", 0, "TIFF"),
    (b"MM\x00*", 0, "TIFF"),
    (b"WEBP", 8, "WEBP"),
    (b"ftypheic", 4, "HEIC"),
    (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"),
    (b"ftypavif", 4, "AVIF"),
    (b"%PDF", 0, "PDF"),
    (b"\x00\x00\x01\x00", 0, "ICO"),
    (b"8BPS", 0, "PSD"),
)

REASON_TRUNCATED = "图像文件不完整（截断）"
REASON_BOMB = "图像尺寸过大，疑似解压炸弹"
REASON_UNIDENTIFIED = "无法识别的图像文件（不是 JPEG 或 PNG 图像）"
REASON_CORRUPT = "图像文件已损坏，无法解码"
REASON_EMPTY = "图像文件为空"

WATERMARK_MIN_FONT = 12
_BAND_MAX_SHARE = 0.45  # of the image height: the band must not hide the vehicle
_TOKEN = re.compile(r"[0-9A-Za-z,.%:+\-_/]+|\s+|.")


class EvidenceDefect(Exception):
    """The image cannot serve as evidence; `reason` (Chinese) is shown to officers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff_format(first_bytes: bytes) -> str | None:
    """'JPEG', 'PNG' or None from the magic number: a hint at upload time, not a verdict."""
    if first_bytes.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if first_bytes.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    return None


def decode(source: str | os.PathLike[str] | bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Decode an uploaded JPEG/PNG into an upright RGB image, or raise `EvidenceDefect`.

    `source` is a path or the bytes themselves. The result's `.format` is the detected
    source format ('JPEG' or 'PNG'). An unreadable path raises OSError as usual: that is
    a storage fault, not a defect of the image.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if not data:
        raise EvidenceDefect(REASON_EMPTY)
    limit = MAX_PIXELS if max_pixels is None else max_pixels
    try:
        with _hardened(limit):
            fmt = _verified_format(data)
            image = _load_upright(data)
    except EvidenceDefect:
        raise
    except Exception as exc:  # any failure on untrusted bytes is a defect
        log.info("evidence image rejected: %s: %s", type(exc).__name__, exc)
        raise EvidenceDefect(_reason_for(exc)) from exc
    image.format = fmt
    return image


@contextmanager
def _hardened(max_pixels: int) -> Iterator[None]:
    # Pillow's knobs are module globals; workers decode one image at a time per process.
    saved = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = max_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a half image is a defect, not grey pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _verified_format(data: bytes) -> str:
    try:
        probe = Image.open(BytesIO(data), formats=sorted(ALLOWED_FORMATS))
    except UnidentifiedImageError as exc:
        other = _other_format(data)
        if other is None:
            raise EvidenceDefect(REASON_UNIDENTIFIED) from exc
        raise EvidenceDefect(f"不支持的图像格式：{other}（仅接受 JPEG、PNG）") from exc
    with probe:
        fmt = _FORMAT_ALIASES.get(probe.format or "", probe.format)
        if fmt not in ALLOWED_FORMATS:  # defensive: formats= already restricts the plugins
            raise EvidenceDefect(f"不支持的图像格式：{fmt}（仅接受 JPEG、PNG）")
        probe.verify()
    return fmt


def _load_upright(data: bytes) -> Image.Image:
    # verify() leaves the image unusable, so decode again from the same bytes.
    with Image.open(BytesIO(data), formats=sorted(ALLOWED_FORMATS)) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        return _to_rgb(upright)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img.copy()
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        # Transparent areas become white, not black, so nothing is hidden.
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        # 16-bit greyscale: scale to 8 bits instead of clipping everything to white.
        return img.point(lambda v: v / 256).convert("L").convert("RGB")
    return img.convert("RGB")


def _reason_for(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning | MemoryError):
        return REASON_BOMB
    if isinstance(exc, UnidentifiedImageError):
        return REASON_UNIDENTIFIED
    text = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in text or "premature end" in text:
        return REASON_TRUNCATED
    return REASON_CORRUPT


def _other_format(data: bytes) -> str | None:
    for magic, offset, name in _OTHER_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return name
    return None


def make_thumbnail(img: Image.Image, max_side: int = 320) -> bytes:
    """A JPEG whose longer side is at most `max_side` px (never enlarged)."""
    if max_side < 1:
        raise ValueError("max_side must be positive")
    thumb = _to_rgb(img)
    thumb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _jpeg(thumb, quality=80)


def make_watermarked(
    img: Image.Image,
    lines: list[str],
    font_path_index: tuple[str, int] | None = None,
    *,
    position: Literal["bottom", "top"] = "bottom",
) -> bytes:
    """A JPEG copy of `img` with `lines` in white on a semi-transparent dark band.

    The font size follows the image width, long lines wrap, and the band never covers
    more than ~45 % of the height. `font_path_index` defaults to `cjk_font_path()`.
    """
    lines = [line.strip() for line in lines if line and line.strip()]
    if not lines:
        raise ValueError("watermark needs at least one non-empty line")
    base = _to_rgb(img)
    width, height = base.size
    font, wrapped = _fit(lines, width, height, font_path_index)
    lacking = missing_glyphs("".join(wrapped), font)
    if lacking:
        log.warning("watermark font %s lacks %s", font.getname(), "".join(lacking))

    size = font.size
    pad, gap = max(2, size // 2), max(1, int(size * 0.3))
    line_h = _line_height(font)
    band_h = min(height, 2 * pad + len(wrapped) * line_h + (len(wrapped) - 1) * gap)
    top = height - band_h if position == "bottom" else 0

    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, top, width, top + band_h), fill=(0, 0, 0, 150))
    y = top + pad
    for line in wrapped:
        draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255), anchor="la")
        y += line_h + gap
    marked = Image.alpha_composite(base.convert("RGBA"), overlay).convert("RGB")
    return _jpeg(marked, quality=90)


def _fit(
    lines: list[str], width: int, height: int, font_path_index: tuple[str, int] | None
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    # ~36 px of width per em: 18 px on a 640 px image, 111 px on a 4000 px one.
    size = max(WATERMARK_MIN_FONT, round(width / 36))
    while True:
        font = load_font(size, font_path_index)
        pad, gap = max(2, size // 2), max(1, int(size * 0.3))
        wrapped = [part for line in lines for part in _wrap(line, font, width - 2 * pad)]
        band_h = 2 * pad + len(wrapped) * _line_height(font) + (len(wrapped) - 1) * gap
        if band_h <= height * _BAND_MAX_SHARE or size <= WATERMARK_MIN_FONT:
            return font, wrapped
        size = max(WATERMARK_MIN_FONT, int(size * 0.85))


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _wrap(line: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy wrap; numbers such as '56,000' stay whole, Chinese may break anywhere."""
    if font.getlength(line) <= max_width:  # the usual case: one measurement, not one per token
        return [line]
    out: list[str] = []
    current = ""
    for token in _TOKEN.findall(line):
        candidate = current + token
        if font.getlength(candidate) <= max_width or not current.strip():
            current = candidate
        else:
            out.append(current.rstrip())
            current = token.lstrip()
        while font.getlength(current) > max_width and len(current) > 1:
            # A single token wider than the band: break it by characters.
            cut = _longest_prefix(current, font, max_width)
            out.append(current[:cut])
            current = current[cut:]
    if current.strip():
        out.append(current.rstrip())
    return out


def _longest_prefix(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> int:
    cut = 1
    while cut < len(text) and font.getlength(text[: cut + 1]) <= max_width:
        cut += 1
    return cut


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = BytesIO()
    img.save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def watermark_lines(
    site_name: str,
    captured_local: str,
    plate: str | None,
    plate_color_cn: str | None,
    gross_kg: float | Decimal,
    limit_kg: float | Decimal,
    tolerance_kg: float | Decimal,
    excess_kg: float | Decimal,
    excess_pct: float | Decimal,
) -> list[str]:
    """The watermark text: site, local capture time, plate (未识别 if none), and the figures the
    case and its notice state — gross, limit, the measurement deduction, the excess and rate after it."""
    plate_text = plate.strip() if plate and plate.strip() else "未识别"
    if plate_color_cn and plate_color_cn.strip():
        plate_text += f"（{plate_color_cn.strip()}）"
    return [
        f"点位：{site_name}",
        f"时间：{captured_local}",
        f"车牌：{plate_text}",
        f"总质量 {_kg(gross_kg)} kg / 限值 {_kg(limit_kg)} kg / 扣除误差 {_kg(tolerance_kg)} kg 后超限 "
        f"{_kg(excess_kg)} kg（{_pct(excess_pct)}%）",
    ]


def _kg(value: float | Decimal) -> str:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount.normalize():,f}"


def _pct(value: float | Decimal) -> str:
    # Truncate like the rules do: a printed rate must never exceed the true one.
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_DOWN)}"
