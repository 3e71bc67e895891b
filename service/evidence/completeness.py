"""Whether a non-site record carries the evidence domain-rules §6.2 requires before it can be
confirmed, noticed or decided: at least the plate close-up (车牌特写) and one view of the vehicle
(车头 / 车身侧面 / 车尾 / 全景), each decoded (ready) with the SHA-256 of its untouched original.

The record must "清晰、准确地反映机动车类型、号牌、外观等特征" (处理程序规定 第十八条, the police
analogue) and be 真实、清晰、完整、准确 (行政处罚法 第四十一条第二款); an image still being
processed, or one recorded as a defect, proves nothing yet.
"""

from __future__ import annotations

from sqlalchemy import select

from models import EvidenceImage
from service.extensions import db

PLATE_KINDS = ("plate",)
VEHICLE_KINDS = ("front", "side", "rear", "overview")
# What each requirement is called when it is missing (the refusal names it).
REQUIRED = {"plate": "车牌特写", "vehicle": "车辆外观图像（车头、侧面、车尾或全景之一）"}
ARTICLE = "行政处罚法第四十一条第二款"


def usable_kinds(reading_id: int) -> set[str]:
    """The kinds of this reading's images that are decoded and hashed."""
    rows = db.session.scalars(
        select(EvidenceImage.kind).where(
            EvidenceImage.reading_id == reading_id,
            EvidenceImage.status == "ready",
            EvidenceImage.sha256.is_not(None),
        )
    )
    return set(rows)


def missing_evidence(reading_id: int) -> list[str]:
    """What §6.2 still lacks for this reading, as the officer would name it (empty: complete)."""
    kinds = usable_kinds(reading_id)
    missing = []
    if not kinds & set(PLATE_KINDS):
        missing.append("plate")
    if not kinds & set(VEHICLE_KINDS):
        missing.append("vehicle")
    return missing


def refusal_text(missing: list[str]) -> str:
    names = "、".join(REQUIRED[m] for m in missing)
    return f"非现场记录缺少可用的证据图像：{names}（须已处理完成并留存哈希值），不能作为处罚依据（{ARTICLE}）"
