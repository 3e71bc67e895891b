"""Which font draws the Chinese watermark, and whether it really has every character.

A font without CJK glyphs does not fail: Pillow silently draws a box (the .notdef
glyph) for each missing character, and a watermark of boxes is worthless as
evidence. So the font is chosen explicitly, and `missing_glyphs` lets callers and
tests prove the lines render.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ENV_VAR = "EVIDENCE_FONT"
# Debian's fonts-noto-cjk: one .ttc per weight, holding JP/KR/SC/TC/HK faces.
DEBIAN_NOTO_FILES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
SC_FAMILY = "Noto Sans CJK SC"
# PyPI `cvttf-notosanscjk-regular` (in requirements.txt), so a fresh machine without
# Debian's fonts still renders Chinese. Its TC face covers simplified characters too.
PACKAGE = "cvttf_NotoSansCJK_Regular"
PACKAGE_FILE = "NotoSansCJKtc-Regular.otf"
_MAX_FACES = 32  # a .ttc holds a handful of faces; stop probing long before this
_NOTDEF_PROBE = "\U0010fffd"  # private use, plane 16: no real font maps it


@lru_cache(maxsize=1)
def cjk_font_path() -> tuple[str, int]:
    """(path, face index) of the font for Chinese watermarks; looked up once per process.

    Order: env EVIDENCE_FONT ("path" or "path:index"), Debian's Noto Sans CJK SC face,
    the OTF shipped in the PyPI package cvttf-notosanscjk-regular.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return _from_env(env)
    found = _debian_sc_face() or _package_font()
    if found is None:
        raise RuntimeError(
            "找不到中文字体，证据图像水印无法生成：请安装 cvttf-notosanscjk-regular 或 fonts-noto-cjk，"
            f"或用环境变量 {ENV_VAR} 指定字体（路径[:字形索引]）。 "
            "No CJK font found for evidence watermarks: install cvttf-notosanscjk-regular or "
            f"fonts-noto-cjk, or set {ENV_VAR}=path[:face index]."
        )
    return found


def _from_env(value: str) -> tuple[str, int]:
    path, index = value, 0
    head, sep, tail = value.rpartition(":")
    if sep and tail.isdigit():
        path, index = head, int(tail)
    try:
        ImageFont.truetype(path, 20, index=index)
    except OSError as exc:
        # An explicit setting that is wrong must be loud, not replaced by a fallback.
        raise RuntimeError(
            f"环境变量 {ENV_VAR} 指定的字体无法打开：{value}。 {ENV_VAR} names a font that cannot be opened: {value}"
        ) from exc
    return path, index


def _debian_sc_face() -> tuple[str, int] | None:
    for path in DEBIAN_NOTO_FILES:
        if not Path(path).is_file():
            continue
        for index in range(_MAX_FACES):
            try:
                family, _style = ImageFont.truetype(path, 20, index=index).getname()
            except OSError:
                break  # past the last face
            if family == SC_FAMILY:
                return path, index
    return None


def _package_font() -> tuple[str, int] | None:
    try:
        candidate = resources.files(PACKAGE).joinpath(PACKAGE_FILE)
    except ModuleNotFoundError:
        return None
    path = Path(str(candidate))
    return (str(path), 0) if path.is_file() else None


@lru_cache(maxsize=16)
def load_font(size: int, path_index: tuple[str, int] | None = None) -> ImageFont.FreeTypeFont:
    """The watermark font at `size` px (default: `cjk_font_path()`); cached per process."""
    path, index = path_index or cjk_font_path()
    return _truetype(path, index, size)


@lru_cache(maxsize=64)
def _truetype(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    # Opening a CJK font (tens of MB) costs more than drawing a watermark with it.
    return ImageFont.truetype(path, size, index=index)


def missing_glyphs(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> list[str]:
    """Characters of `text` (whitespace excluded) that `font` would draw as its .notdef box."""
    notdef = _render(_NOTDEF_PROBE, font)
    missing: list[str] = []
    for ch in dict.fromkeys(text):  # unique, in order of first appearance
        if ch.isspace() or not ch.isprintable():
            continue
        if _render(ch, font) == notdef:
            missing.append(ch)
    return missing


def _render(ch: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> tuple[tuple[float, ...], bytes]:
    """The glyph's box and pixels: equal to the .notdef probe's means the font lacks it."""
    left, top, right, bottom = font.getbbox(ch)
    canvas = Image.new("L", (max(1, int(right - left)), max(1, int(bottom - top))))
    ImageDraw.Draw(canvas).text((-left, -top), ch, font=font, fill=255)
    return (left, top, right, bottom), canvas.tobytes()
