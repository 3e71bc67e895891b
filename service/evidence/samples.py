"""Generated evidence images for the demo and the tests: a plate close-up (车牌特写) and an
overview (全景) of a truck, drawn with Pillow. They are stored and processed exactly as a
device's upload is (service.ingest.evidence.store_evidence → process_images): kept untouched
with their SHA-256, then decoded, thumbnailed and watermarked. Only the pixels are made up.
"""

from __future__ import annotations

import hashlib
from io import BytesIO

from PIL import Image, ImageDraw

from service.evidence.fonts import load_font

PLATE_COLOURS = {  # background, text (GA 36-2018, domain-rules §10.2)
    "yellow": ((240, 190, 20), (10, 10, 10)),
    "blue": ((20, 70, 190), (250, 250, 250)),
    "green": ((120, 200, 140), (10, 10, 10)),
    "yellow_green": ((170, 210, 60), (10, 10, 10)),
    "white": ((245, 245, 245), (10, 10, 10)),
    "black": ((20, 20, 20), (250, 250, 250)),
}


def _jpeg(img: Image.Image) -> bytes:
    out = BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def plate_image(plate: str | None, color: str | None = "yellow") -> bytes:
    """A plate close-up: the plate as the camera read it (a smudged plate when unread)."""
    bg, fg = PLATE_COLOURS.get(color or "yellow", PLATE_COLOURS["yellow"])
    # The close-up is cut from the front camera: the plate in the upper part of the frame, the
    # watermark band below it (it must not cover the plate).
    img = Image.new("RGB", (800, 450), (70, 72, 76))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 800, 60), fill=(40, 42, 46))  # the bumper above the plate
    draw.rounded_rectangle((130, 80, 670, 220), radius=12, fill=bg, outline=fg, width=5)
    if plate:
        font = load_font(84)
        text = f"{plate[:2]}·{plate[2:]}"
        w = draw.textlength(text, font=font)
        draw.text(((800 - w) / 2, 100), text, font=font, fill=fg)
    else:  # mud over the plate: why it was not read
        draw.ellipse((200, 90, 600, 215), fill=(105, 85, 60))
    return _jpeg(img)


def overview_image(plate: str | None, axle_count: int, seed: str = "") -> bytes:
    """An overview of a truck on the road with its axles visible, varied a little by `seed`."""
    shade = int(hashlib.sha256(seed.encode()).hexdigest()[:2], 16)
    img = Image.new("RGB", (960, 540), (150 + shade % 60, 180, 210))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 330, 960, 540), fill=(80, 82, 86))
    for x in range(0, 960, 120):
        draw.rectangle((x + 20, 430, x + 80, 440), fill=(230, 230, 230))
    length = 160 + 90 * axle_count
    left = (960 - length) // 2
    body = (60 + shade % 120, 90, 140 - shade % 60)
    draw.rectangle((left, 170, left + length - 150, 330), fill=body)  # the load
    draw.rectangle((left + length - 140, 210, left + length, 330), fill=(200, 60, 40))  # the cab
    draw.rectangle((left + length - 110, 225, left + length - 20, 270), fill=(180, 220, 240))
    step = (length - 40) / max(1, axle_count - 1)
    for i in range(axle_count):
        cx = int(left + 20 + i * step)
        draw.ellipse((cx - 28, 310, cx + 28, 366), fill=(25, 25, 25))
    if plate:
        draw.rectangle((left + length - 100, 290, left + length - 20, 310), fill=(240, 190, 20))
    return _jpeg(img)


def sample_set(plate: str | None, plate_color: str | None, axle_count: int, seed: str) -> dict[str, bytes]:
    """The two images §6.2 asks for at least: plate close-up and a view of the vehicle."""
    return {"plate": plate_image(plate, plate_color), "overview": overview_image(plate, axle_count, seed)}


def attach_samples(reading_ids: list[int], *, process: bool = True) -> int:
    """Store a generated evidence set for each reading, as a device upload is (the same bytes
    again are the same rows), and process it at once unless `process` is False (then the
    evidence worker does, from the upload's outbox row); returns how many images were made
    ready here. Flushes; the caller commits."""
    from sqlalchemy import select

    from models import Reading
    from service.evidence.processing import process_images
    from service.extensions import db
    from service.ingest.evidence import store_evidence

    ids: list[int] = []
    for reading in db.session.scalars(select(Reading).where(Reading.id.in_(reading_ids))):
        images = sample_set(reading.plate, reading.plate_color, reading.axle_count, reading.record_id)
        for kind, data in images.items():
            row, _ = store_evidence(reading.site_id, reading.record_id, kind, f"{kind}.jpg", data)
            ids.append(row.id)
    return process_images(ids)["ready"] if ids and process else 0
