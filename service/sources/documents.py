"""What a source case's notice and decision state as the facts (违法事实): the enterprise's exit
weighbridge let an over-limit truck leave (公路安全保护条例 第四十一条第一款, S-NO-EXIT)."""

from __future__ import annotations

from models import Case, Enterprise, Loading, Weighbridge
from models.reading import PLATE_COLOR_LABELS
from service.clock import CST
from service.extensions import db

VEHICLE_CN = {"truck": "货车", "combination": "汽车列车"}


def loading_facts_text(case: Case) -> str:
    loading = db.session.get(Loading, case.loading_id)
    bridge = db.session.get(Weighbridge, loading.weighbridge_id)
    enterprise = db.session.get(Enterprise, loading.enterprise_id)
    colour = PLATE_COLOR_LABELS.get(loading.plate_color or "", "")
    plate = f"{loading.plate}（{colour}牌）" if loading.plate and colour else (loading.plate or "（号牌未识别）")
    vehicle = VEHICLE_CN.get(loading.vehicle_type or "", "货车")
    when = loading.weighed_at.astimezone(CST)
    return (
        f"经查，{enterprise.name} 于 {when:%Y年%m月%d日 %H时%M分} 经其出场地磅 {bridge.name}（编码 {bridge.code}）"
        f"称重放行号牌为 {plate} 的 {loading.axle_count} 轴{vehicle}，车货总质量 {loading.gross_weight_kg:,.0f} 千克，"
        f"超过 {loading.limit_kg:,} 千克的限定标准（{loading.rule_article}），超限 {case.excess_kg:,.0f} 千克，"
        f"超限率 {case.excess_pct:.2f}%，未采取有效措施防止不符合装载标准的车辆出场（《公路安全保护条例》第四十一条第一款）。"
    )
