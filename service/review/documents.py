"""The notice (告知书) and decision (决定书): one content model, shown as a print
view in the browser and rendered to PDF (fpdf2, with the CJK font embedded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from models import Case, EvidenceImage, PartyMatter, Reading, Site
from models.matter import SERVICE_METHODS
from models.reading import PLATE_COLOR_LABELS
from service.clock import CST
from service.extensions import db
from service.review.legal_text import public_text

VEHICLE_CN = {"truck": "货车", "combination": "汽车列车"}


@dataclass
class Document:
    title: str
    number: str
    agency: str
    addressee: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)  # (label, absolute path of the thumbnail)
    footer: list[str] = field(default_factory=list)
    party_url: str = ""  # the party page's full address, printed and as a QR code

    def qr_svg(self) -> str:
        """The party page's address as a QR code (an SVG data URI for the print view)."""
        return _qr(self.party_url).svg_data_uri(scale=3, border=2) if self.party_url else ""

    def qr_png(self) -> bytes:
        from io import BytesIO

        out = BytesIO()
        _qr(self.party_url).save(out, kind="png", scale=6, border=2)
        return out.getvalue()


def _qr(url: str):
    import segno

    return segno.make(url, error="m", micro=False)


def party_url() -> str:
    """The party page as a full address: PUBLIC_BASE_URL when the deployment sets it (the address
    parties reach from outside), else the address this request came in on."""
    from flask import request, url_for

    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    path = url_for("party.lookup")
    if base:
        return base + path
    return request.url_root.rstrip("/") + path if request else path


def _officer(user) -> str:
    name = user.display_name or user.username
    return f"{name}（执法证号 {user.certificate_number or '未登记'}）"


def officers_text(matter: PartyMatter, kind: str) -> list[str]:
    """行政处罚法 第四十二条: at least two enforcement officers, named with their certificate numbers.
    The officers who handled the matter (gave notice, reviewed the record, proposed the decision),
    then whoever else the case names; the approving supervisor signs as the responsible person."""
    from models import User

    case = matter.case
    first = matter.decision_proposed_by_id if kind == "decision" else matter.notice_issued_by_id
    ids = [i for i in (first, case.reviewed_by_id, matter.notice_issued_by_id, case.assigned_to_id) if i]
    seen = list(dict.fromkeys(ids))[:2]
    users = [db.session.get(User, i) for i in seen]
    lines = ["执法人员：" + "、".join(_officer(u) for u in users if u is not None)]
    if len(users) < 2:
        lines.append("（本案登记的执法人员不足两名，须由两名以上执法人员办理，行政处罚法第四十二条）")
    if kind == "decision" and matter.decided_by_id:
        boss = db.session.get(User, matter.decided_by_id)
        lines.append(f"批准人：{boss.display_name or boss.username}（执法证号 {boss.certificate_number or '未登记'}）")
    return lines


def facts_text(case: Case) -> str:
    """违法事实: the act and the figures of the weighing the case stands on, the excess and the
    rate both after the measurement deduction — the same two figures the case page, the queue,
    the party page and the watermark state."""
    if case.loading_id is not None:  # a source case: the enterprise's own exit weighing
        from service.sources.documents import loading_facts_text

        return loading_facts_text(case)
    reading = db.session.get(Reading, case.weighing_reading_id)
    site = db.session.get(Site, reading.site_id)
    when = reading.captured_at.astimezone(CST)
    colour = PLATE_COLOR_LABELS.get(reading.plate_color or "", "")
    plate = f"{case.plate}（{colour}牌）" if case.plate and colour else (case.plate or "（号牌未识别）")
    vehicle = VEHICLE_CN.get(reading.vehicle_type or "", "货车")
    reweighed = "（静态复核）" if reading.id != case.reading_id else ""
    return (
        f"经查，号牌为 {plate} 的 {reading.axle_count} 轴{vehicle}，于 {when:%Y年%m月%d日 %H时%M分} "
        f"在 {site.name}（点位编码 {site.code}）经检测{reweighed}，车货总质量 {case.gross_weight_kg:,.0f} 千克，"
        f"超过 {case.limit_kg:,} 千克的限定标准；扣除计量误差 {case.tolerance_kg:,} 千克后超限 {case.excess_kg:,.0f} 千克，"
        f"超限率 {case.excess_pct:.2f}%。认定依据：{case.rule_article}。"
    )


def _addressee(matter: PartyMatter) -> str:
    if matter.party == "vehicle":
        from service.procedure.case_ops import owner_name

        # The registry may have come to know the owner since the matter opened (a plate entered
        # from the images, a vehicle registered later): the notice names the owner it knows now.
        name = matter.party_name
        if not name or name.startswith("车辆所有人（"):
            name = owner_name(matter.case)
        if name.startswith("车辆所有人（"):
            return name
        return f"{name}（车辆所有人，号牌 {matter.case.plate or '未识别'}）"
    return f"{matter.party_name or '（未登记）'}（{matter.party_label}）"


def _images(reading_id: int) -> list[tuple[str, str]]:
    from models.evidence import EVIDENCE_KINDS

    root = Path(current_app.config["EVIDENCE_DIR"])
    rows = db.session.query(EvidenceImage).filter_by(reading_id=reading_id, status="ready").order_by(EvidenceImage.id)
    return [(EVIDENCE_KINDS.get(r.kind, r.kind), str(root / r.thumb_path)) for r in rows if r.thumb_path]


def _penalty_text(items: list[dict]) -> list[str]:
    return [f"{i['basis_text']}（依据：{i['article']}）" for i in items]


def notice_document(matter: PartyMatter, party_code: str | None) -> Document:
    case = matter.case
    proposal = matter.notified_penalty or {}
    kind = proposal.get("kind")
    proposed = (
        "警告"
        if kind == "warning"
        else (f"罚款人民币 {proposal.get('proposed_yuan', 0):,} 元" if kind == "fine" else "不予处罚")
    )
    doc = Document(
        title="交通运输行政处罚告知书（超限运输）",
        number=matter.notice_number or "",
        agency=current_app.config["AGENCY_NAME"],
        addressee=_addressee(matter) + "：",
    )
    doc.sections.append(("违法事实", [facts_text(case)]))
    doc.sections.append(
        ("处罚依据与拟作出的处罚", _penalty_text(proposal.get("items", [])) + [f"拟作出的行政处罚：{proposed}。"])
    )
    code_line = f"在线查询码：{party_code}" if party_code else "在线查询码：见首次打印的告知书（系统不保存明文）"
    url = party_url()
    doc.sections.append(
        (
            "当事人的权利",
            [
                "根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩。",
                f"请于 {matter.statement_due} 前提出陈述、申辩；逾期未提出的，视为放弃上述权利。",
                f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条，对较大数额罚款你（单位）有权要求听证，"
                f"请于 {matter.hearing_request_due} 前（告知后五个工作日内）提出。",
                f"可访问 {url}（或扫描下方二维码），输入号牌与查询码，查询本记录及证据图像并在线提交陈述申辩或听证申请。",
                code_line,
            ],
        )
    )
    doc.sections.append(("执法人员", officers_text(matter, "notice")))
    doc.party_url = url
    doc.images = _images(case.reading_id)
    doc.footer = [
        current_app.config["AGENCY_NAME"],
        f"{matter.notice_issued_at.astimezone(CST):%Y年%m月%d日}" if matter.notice_issued_at else "",
    ]
    return doc


def decision_document(matter: PartyMatter) -> Document:
    case = matter.case
    basis = matter.decision_basis or {}
    statements = [s for s in matter.statements if s.kind in ("statement", "hearing_request")]
    heard = [
        f"当事人于 {s.submitted_at.astimezone(CST):%Y年%m月%d日} 提出{'陈述申辩' if s.kind == 'statement' else '听证申请'}：{s.text}"
        for s in statements
    ] or ["当事人在规定期限内未提出陈述、申辩，或明确放弃上述权利。"]
    if matter.hearing_record:
        heard.append(f"听证情况：{matter.hearing_record}")
    if matter.decision_kind == "fine":
        outcome = [
            f"决定给予罚款人民币 {matter.decision_amount_yuan:,} 元的行政处罚。",
            "请自收到本决定书之日起十五日内缴纳罚款（《中华人民共和国行政处罚法》第六十七条）。"
            + current_app.config["PAYMENT_INSTRUCTIONS"]
            + "。",
            "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（第七十二条）。",
        ]
    else:
        outcome = ["决定给予警告的行政处罚。"]
    if matter.decision_reason:
        outcome.append(f"裁量说明：{matter.decision_reason}")
    doc = Document(
        title="交通运输行政处罚决定书（超限运输）",
        number=matter.decision_number or "",
        agency=current_app.config["AGENCY_NAME"],
        addressee=f"当事人：{_addressee(matter)}",
    )
    doc.sections += [
        ("违法事实", [facts_text(case)]),
        ("陈述申辩及采纳情况", heard),
        ("处罚依据", _penalty_text(basis.get("items", []))),
        ("处罚决定", outcome),
        (
            "救济途径",
            [
                f"如不服本决定，可在收到本决定书之日起六十日内向{current_app.config['REVIEW_AUTHORITY']}申请行政复议，"
                "或者在六个月内依法向人民法院提起行政诉讼。"
            ],
        ),
    ]
    doc.sections.append(("执法人员", officers_text(matter, "decision")))
    doc.sections.append(
        ("在线查询", [f"可访问 {party_url()}（或扫描下方二维码），输入号牌与查询码查询本决定及缴款方式。"])
    )
    doc.party_url = party_url()
    if matter.service_method:
        doc.sections.append(
            (
                "送达",
                [
                    f"送达方式：{SERVICE_METHODS.get(matter.service_method, matter.service_method)}，"
                    f"送达日期：{matter.served_at.astimezone(CST):%Y年%m月%d日}。"
                ],
            )
        )
    doc.images = _images(case.reading_id)
    doc.footer = [
        current_app.config["AGENCY_NAME"],
        f"{matter.decided_at.astimezone(CST):%Y年%m月%d日}" if matter.decided_at else "",
    ]
    return doc


def render_pdf(doc: Document) -> bytes:
    from fpdf import FPDF

    from service.evidence.fonts import cjk_font_path

    path, index = cjk_font_path()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    kwargs = {"collection_font_number": index} if path.lower().endswith(".ttc") else {}
    pdf.add_font("cjk", "", path, **kwargs)
    pdf.add_page()
    pdf.set_font("cjk", size=17)
    pdf.multi_cell(0, 10, doc.agency, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 10, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10.5)
    pdf.multi_cell(0, 7, doc.number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, doc.addressee, align="L", new_x="LMARGIN", new_y="NEXT")
    for heading, paragraphs in doc.sections:
        pdf.ln(2)
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10.5)
        for para in paragraphs:
            pdf.multi_cell(0, 6.5, "　　" + public_text(para), align="L", new_x="LMARGIN", new_y="NEXT")
    if doc.images:
        _pdf_images(pdf, doc.images)
    pdf.ln(6)
    if pdf.get_y() > 230:
        pdf.add_page()
    top = pdf.get_y()
    if doc.party_url:  # the party page's QR code, left of the seal and signature
        from io import BytesIO

        pdf.image(BytesIO(doc.qr_png()), x=pdf.l_margin, y=top, w=30)
        pdf.set_xy(pdf.l_margin, top + 31)
        pdf.set_font("cjk", size=8)
        pdf.cell(60, 4, "扫码查询（当事人在线渠道）")
        pdf.set_font("cjk", size=10.5)
    # The seal area (印章): the agency seals over its name and the date.
    cx, cy, r = pdf.w - pdf.r_margin - 30, top + 16, 16
    pdf.set_draw_color(190, 0, 0)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r)  # x, y: the bounding box's upper-left corner
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, top + 6)
    for line in doc.footer:
        pdf.multi_cell(0, 7, line, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 38))
    return bytes(pdf.output())


def _pdf_images(pdf, images: list[tuple[str, str]]) -> None:
    pdf.ln(2)
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 8, "证据图像", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    x0, width, gap = pdf.l_margin, 56, 4
    for i, (label, path) in enumerate(images):
        col = i % 3
        if col == 0 and i:
            pdf.ln(48)
        if pdf.get_y() > 240:
            pdf.add_page()
        x, y = x0 + col * (width + gap), pdf.get_y()
        try:
            pdf.image(path, x=x, y=y, w=width)
        except (OSError, RuntimeError, ValueError):
            continue  # a missing derived file leaves a gap, never a broken document
        pdf.set_xy(x, y + 42)
        pdf.cell(width, 5, label)
        pdf.set_xy(x0, y)
    pdf.ln(48)
