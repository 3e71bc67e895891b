"""Evidence images (证据图像): Pillow helpers the workers call. No Flask, no database."""

from service.evidence.fonts import cjk_font_path, load_font, missing_glyphs
from service.evidence.images import (
    ALLOWED_FORMATS,
    MAX_PIXELS,
    EvidenceDefect,
    decode,
    make_thumbnail,
    make_watermarked,
    sniff_format,
    watermark_lines,
)

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_PIXELS",
    "EvidenceDefect",
    "cjk_font_path",
    "decode",
    "load_font",
    "make_thumbnail",
    "make_watermarked",
    "missing_glyphs",
    "sniff_format",
    "watermark_lines",
]
