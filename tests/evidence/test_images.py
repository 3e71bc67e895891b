"""Evidence image helpers: what an officer sees (a readable Chinese watermark, a defect
reason instead of a crash) for images generated here with Pillow. No database, no Redis."""

from __future__ import annotations

import random
import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from service.evidence import (
    EvidenceDefect,
    cjk_font_path,
    decode,
    fonts,
    images,
    load_font,
    make_thumbnail,
    make_watermarked,
    missing_glyphs,
    sniff_format,
    watermark_lines,
)

LINES = [
    "点位：G12 长春西 非现场执法点",
    "时间：2026-11-23 08:30:12",
    "车牌：吉A12345（黄）",
    "总质量 56,000 kg / 限值 49,000 kg / 扣除误差 2,800 kg 后超限 4,200 kg（8.57%）",
]
GREY = (128, 128, 128)


@pytest.fixture(autouse=True)
def fresh_font_lookup():
    """Each test sees its own environment, not a font picked by an earlier test."""
    cjk_font_path.cache_clear()
    load_font.cache_clear()
    yield
    cjk_font_path.cache_clear()
    load_font.cache_clear()


@pytest.fixture
def package_font_only(monkeypatch):
    """A fresh machine: no Debian fonts, no EVIDENCE_FONT, only the PyPI package."""
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "DEBIAN_NOTO_FILES", ())


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def noisy(size=(200, 150), seed=1) -> Image.Image:
    """Incompressible pixels, so that half the file really is half the image."""
    rnd = random.Random(seed)
    return Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels."""
    data = bytearray(encode(Image.new("P", (8, 8)), "PNG"))
    ihdr = 8 + 8  # signature, then length + type of the IHDR chunk
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


# --- decode ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_valid_image_decodes_to_rgb_with_its_format(fmt):
    original = noisy()
    img = decode(encode(original, fmt))
    assert img.size == (200, 150)
    assert img.mode == "RGB"
    assert img.format == fmt
    if fmt == "PNG":  # lossless: exactly the pixels that were sent
        assert img.tobytes() == original.tobytes()


def test_decode_reads_a_path_and_trusts_content_not_the_name(tmp_path):
    path = tmp_path / "camera.gif"  # a PNG with a misleading name is still a PNG
    path.write_bytes(encode(Image.new("RGB", (30, 20), GREY), "PNG"))
    img = decode(path)
    assert (img.format, img.size) == ("PNG", (30, 20))


def test_exif_orientation_is_applied():
    # Stored landscape, red on the left; orientation 6 = display rotated 90° clockwise.
    stored = Image.new("RGB", (80, 40), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6
    img = decode(encode(stored, "JPEG", exif=exif, quality=95))
    assert img.size == (40, 80)
    top, bottom = img.getpixel((20, 10)), img.getpixel((20, 70))
    assert top[0] > 200 and top[2] < 60, top  # red now on top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_transparent_png_becomes_white_not_black():
    img = decode(encode(Image.new("RGBA", (10, 10), (0, 0, 0, 0)), "PNG"))
    assert img.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_a_defect(fmt):
    data = encode(noisy(), fmt)
    with pytest.raises(EvidenceDefect) as err:
        decode(data[: len(data) // 2])
    assert "截断" in err.value.reason or "不完整" in err.value.reason


def test_png_cut_before_its_end_chunk_is_a_defect():
    # The pixels decode fine; only verify() notices the missing IEND.
    data = encode(noisy(), "PNG")
    with pytest.raises(EvidenceDefect) as err:
        decode(data[: data.index(b"IEND") - 4])
    assert "截断" in err.value.reason


def test_png_with_a_corrupted_chunk_is_a_defect():
    data = bytearray(encode(noisy(), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 100] ^= 0xFF  # CRC no longer matches
    with pytest.raises(EvidenceDefect) as err:
        decode(bytes(data))
    assert "损坏" in err.value.reason


def test_header_claiming_ten_billion_pixels_is_a_bomb_with_default_limit():
    with pytest.raises(EvidenceDefect) as err:
        decode(png_claiming(100_000, 100_000))
    assert "解压炸弹" in err.value.reason


def test_real_bomb_png_is_rejected_when_over_the_cap():
    # 3000×3000 palette PNG: a few KB on disk, 9 MP once decoded.
    data = encode(Image.new("P", (3000, 3000)), "PNG")
    assert len(data) < 50_000
    with pytest.raises(EvidenceDefect) as err:
        decode(data, max_pixels=1_000_000)  # over twice the cap: Pillow's own error
    assert "解压炸弹" in err.value.reason
    assert decode(data).size == (3000, 3000)  # fine under the normal cap


def test_bomb_warning_zone_is_an_error_too(monkeypatch):
    # Between the cap and twice the cap Pillow only warns; that warning must not pass.
    monkeypatch.setattr(images, "MAX_PIXELS", 1_000_000)
    with pytest.raises(EvidenceDefect) as err:
        decode(encode(Image.new("P", (1200, 1000)), "PNG"))
    assert "解压炸弹" in err.value.reason


def test_decode_leaves_pillow_globals_as_it_found_them():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(EvidenceDefect):
        decode(png_claiming(100_000, 100_000), max_pixels=10)
    assert Image.MAX_IMAGE_PIXELS == before


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_formats_are_refused_by_name(fmt):
    with pytest.raises(EvidenceDefect) as err:
        decode(encode(Image.new("RGB", (20, 20), GREY), fmt))
    assert err.value.reason == f"不支持的图像格式：{fmt}（仅接受 JPEG、PNG）"


def test_text_file_named_jpg_is_not_an_image(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    path.write_text("车牌 吉A12345 总质量 56000\n", encoding="utf-8")
    with pytest.raises(EvidenceDefect) as err:
        decode(path)
    assert "无法识别" in err.value.reason


@pytest.mark.parametrize(
    "prefix", [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"], ids=["plain", "jpeg-magic", "png-magic"]
)
def test_random_bytes_are_a_defect(prefix):
    for seed in range(20):
        data = prefix + random.Random(seed).randbytes(4096)
        with pytest.raises(EvidenceDefect):
            decode(data)


def test_empty_file_is_a_defect():
    with pytest.raises(EvidenceDefect) as err:
        decode(b"")
    assert "空" in err.value.reason


def test_missing_file_is_a_storage_fault_not_a_defect(tmp_path):
    with pytest.raises(FileNotFoundError):
        decode(tmp_path / "gone.jpg")


def test_sniff_format():
    assert sniff_format(encode(Image.new("RGB", (4, 4)), "JPEG")[:16]) == "JPEG"
    assert sniff_format(encode(Image.new("RGB", (4, 4)), "PNG")[:16]) == "PNG"
    assert sniff_format(encode(Image.new("RGB", (4, 4)), "GIF")[:16]) is None
    assert sniff_format(b"") is None


# --- thumbnail ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"), [((4000, 3000), (320, 240)), ((1080, 1920), (180, 320)), ((100, 50), (100, 50))]
)
def test_thumbnail_is_a_small_jpeg(size, expected):
    thumb = Image.open(BytesIO(make_thumbnail(Image.new("RGB", size, GREY))))
    assert thumb.format == "JPEG"
    assert thumb.size == expected


# --- watermark ------------------------------------------------------------------------


def band_rows(marked: Image.Image) -> int:
    """Rows at the right edge (never under text) darkened from the grey input."""
    x = marked.width - 1
    return sum(1 for y in range(marked.height) if marked.getpixel((x, y))[0] < 100)


@pytest.mark.parametrize("size", [(640, 480), (4000, 3000)])
def test_watermark_is_a_same_size_jpeg_with_a_band_of_white_text(size):
    img = Image.new("RGB", size, GREY)
    marked = Image.open(BytesIO(make_watermarked(img, LINES)))
    assert marked.format == "JPEG"
    assert marked.size == size
    w, h = size
    rows = band_rows(marked)
    assert 0.1 * h < rows < 0.46 * h  # readable, yet leaves the vehicle visible
    band = marked.crop((0, h - rows, w, h)).convert("L")
    white = sum(band.histogram()[200:])
    assert white > w * rows * 0.01  # there is text in it
    assert marked.crop((0, 0, w, h // 2)).convert("L").getextrema()[0] > 110  # top untouched
    assert img.getpixel((0, h - 1)) == GREY  # the input image is not modified


def test_watermark_font_scales_with_width():
    small = band_rows(Image.open(BytesIO(make_watermarked(Image.new("RGB", (640, 480), GREY), LINES))))
    large = band_rows(Image.open(BytesIO(make_watermarked(Image.new("RGB", (4000, 3000), GREY), LINES))))
    assert large > 4 * small


def test_watermark_top_position():
    marked = Image.open(BytesIO(make_watermarked(Image.new("RGB", (640, 480), GREY), LINES, position="top")))
    assert marked.getpixel((639, 0))[0] < 100
    assert marked.getpixel((639, 479))[0] > 110


def test_long_lines_wrap_instead_of_running_off_the_image():
    img = Image.new("RGB", (640, 480), GREY)
    one_line = band_rows(Image.open(BytesIO(make_watermarked(img, ["点位：长春西"]))))
    long_line = band_rows(Image.open(BytesIO(make_watermarked(img, ["点位：" + "长春西非现场执法点" * 8]))))
    assert long_line > 2 * one_line


def test_watermark_on_a_wide_short_image_keeps_the_band_small():
    marked = Image.open(BytesIO(make_watermarked(Image.new("RGB", (4000, 400), GREY), LINES)))
    assert band_rows(marked) <= 0.46 * 400


@pytest.mark.parametrize("lines", [[], [""], ["  ", "\t"]])
def test_watermark_needs_text(lines):
    with pytest.raises(ValueError):
        make_watermarked(Image.new("RGB", (64, 64)), lines)


def test_watermark_lines_in_chinese():
    lines = watermark_lines(
        "G12 长春西 非现场执法点", "2026-11-23 08:30:12", "吉A12345", "黄", 56000, 49000, 2800, 4200, 8.57
    )
    assert lines == LINES


def test_watermark_lines_without_plate_and_with_floats():
    lines = watermark_lines("S1 测试点", "2026-01-01 00:00:00", None, None, 56000.0, 49000, 0, 7000.0, 14.2857)
    assert lines[2] == "车牌：未识别"
    assert lines[3] == "总质量 56,000 kg / 限值 49,000 kg / 扣除误差 0 kg 后超限 7,000 kg（14.28%）"  # never rounded up
    assert watermark_lines("S", "t", "", "蓝", 49123.5, 49000, 0, 123.5, 0.25)[2:] == [
        "车牌：未识别（蓝）",
        "总质量 49,123.5 kg / 限值 49,000 kg / 扣除误差 0 kg 后超限 123.5 kg（0.25%）",
    ]


# --- fonts ----------------------------------------------------------------------------


def test_picked_font_has_every_watermark_glyph():
    path, index = cjk_font_path()
    font = ImageFont.truetype(path, 24, index=index)
    assert missing_glyphs(" ".join(LINES), font) == []
    assert missing_glyphs("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领警学挂", font) == []


def test_package_font_alone_renders_the_watermark(package_font_only, monkeypatch):
    path, index = cjk_font_path()
    assert Path(path).name == "NotoSansCJKtc-Regular.otf"
    assert Path(path).is_file()
    font = ImageFont.truetype(path, 24, index=index)
    assert missing_glyphs(" ".join(LINES), font) == []
    assert missing_glyphs("未识别蓝绿白黑", font) == []
    # and the watermark is drawn with it
    used = []

    def spy(size, path_index=None):
        font = load_font(size, path_index)
        used.append(font.path)
        return font

    monkeypatch.setattr(images, "load_font", spy)
    make_watermarked(Image.new("RGB", (640, 480), GREY), LINES)
    assert used and set(used) == {path}


def test_debian_font_is_the_simplified_chinese_face(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    found = fonts._debian_sc_face()
    if found is None:
        pytest.skip("fonts-noto-cjk not installed")
    assert ImageFont.truetype(found[0], 20, index=found[1]).getname()[0] == "Noto Sans CJK SC"
    assert cjk_font_path() == found


def test_env_var_overrides_the_font(monkeypatch, package_font_only):
    package_path, _ = cjk_font_path()
    cjk_font_path.cache_clear()
    monkeypatch.setenv(fonts.ENV_VAR, f"{package_path}:0")
    assert cjk_font_path() == (package_path, 0)


def test_env_var_naming_a_missing_font_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "nope.ttf"))
    with pytest.raises(RuntimeError, match=fonts.ENV_VAR):
        cjk_font_path()


def test_no_font_at_all_is_a_clear_error(monkeypatch, package_font_only):
    monkeypatch.setattr(fonts, "PACKAGE", "no_such_font_package")
    with pytest.raises(RuntimeError) as err:
        cjk_font_path()
    assert "中文字体" in str(err.value) and "No CJK font" in str(err.value)


def test_missing_glyphs_spots_what_a_latin_font_lacks():
    latin = ImageFont.load_default(size=20)
    assert missing_glyphs("车牌：吉A12345", latin) == ["车", "牌", "：", "吉"]
    assert missing_glyphs("A12345 kg / 7,000 (14.28%)", latin) == []


def test_missing_glyphs_spots_what_the_cjk_font_lacks():
    font = load_font(20)
    assert missing_glyphs("吉A\U0001f600 x", font) == ["\U0001f600"]
