"""What each published figure means (domain-rules §9), written once.

The API documents its fields from here, the console shows the text as the figure's tooltip and
the report's 口径说明 sheet prints it. The counting itself is in service/stats/rollup.py
(readings), service/stats/case_rollup.py (officers' work) and service/stats/queries.py (figures
over a period). Every period is of Beijing dates, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    definition: str


FIGURES = (
    Figure("checked", "检测车辆数", "辆次", "期间内各点位上传的检测记录条数（同一车辆每经过一次计一次；重复上传的同一记录只计一次），按称重时间的北京日期归属。"),
    Figure("overlimit", "超限车辆数", "辆次", "检测记录中总质量扣除计量允差后仍超过法定限值的条数（62号令第三条）。外廓尺寸超限不计入。"),
    Figure("overlimit_rate_pct", "超限率", "%", "超限车辆数 ÷ 检测车辆数 × 100，保留两位小数；检测车辆数为 0 时为空。"),
    Figure("overlimit_rate_excl10_pct", "超限率（10%以下除外）", "%", "超限幅度超过 10% 的超限车辆数 ÷ 检测车辆数 × 100。超限幅度为记录入库时按当时规则算得的超限比例（超出限值部分 ÷ 限值）。"),
    Figure("over_gt10", "超限 10% 以上车辆数", "辆次", "超限幅度超过 10% 的超限车辆数。"),
    Figure("over_gt20", "超限 20% 以上车辆数", "辆次", "超限幅度超过 20% 的超限车辆数。"),
    Figure("overlimit_rate_excl20_pct", "超限率（20%以下除外）", "%", "超限幅度超过 20% 的超限车辆数 ÷ 检测车辆数 × 100。"),
    Figure("baidunwang", "百吨王", "辆次", "总质量不低于 100 吨的检测记录条数（无论是否持有大件运输许可）。"),
    Figure("over_lt55t", "超限车辆：总质量 < 55 吨", "辆次", "超限车辆中总质量低于 55 吨的。"),
    Figure("over_55_100t", "超限车辆：55–100 吨", "辆次", "超限车辆中总质量不低于 55 吨、低于 100 吨的。"),
    Figure("over_ge100t", "超限车辆：≥ 100 吨", "辆次", "超限车辆中总质量不低于 100 吨的（超限的百吨王）。"),
    Figure("over_gt100", "超限 100% 以上", "辆次", "超限幅度超过 100%（总质量超过限值两倍）的超限车辆数。"),
    Figure("over_ax2", "超限车辆：2 轴", "辆次", "超限车辆中 2 轴的。"),
    Figure("over_ax3", "超限车辆：3 轴", "辆次", "超限车辆中 3 轴的。"),
    Figure("over_ax4", "超限车辆：4 轴", "辆次", "超限车辆中 4 轴的。"),
    Figure("over_ax5", "超限车辆：5 轴", "辆次", "超限车辆中 5 轴的。"),
    Figure("over_ax6", "超限车辆：6 轴", "辆次", "超限车辆中 6 轴的。"),
    Figure("over_ax7p", "超限车辆：6 轴以上", "辆次", "超限车辆中 7 轴及以上的。"),
    Figure("unreadable_plates", "无牌或未识别", "辆次", "未识别出号牌的检测记录条数。"),
    Figure("unloaded_vehicles", "卸载车辆", "辆次", "检测站登记「卸载」的次数，按登记时间的北京日期归属。"),
    Figure("unloaded_tonnes", "卸载货物", "吨", "登记卸载的货物质量之和（千克 ÷ 1000，保留三位小数）。"),
    Figure("transferred_vehicles", "驳载车辆", "辆次", "检测站登记「驳载」的次数。"),
    Figure("transferred_tonnes", "驳载货物", "吨", "登记驳载的货物质量之和（吨）。"),
    Figure("turned_back", "劝返车辆", "辆次", "登记「劝返」的次数（含高速公路入口劝返）。"),
    Figure("cases_opened", "立案数", "件", "期间内立案的案件数，按立案时间（记录入库时）的北京日期归属；补传的旧记录按补传日计。"),
    Figure("cases_confirmed", "审核确认", "件", "执法人员审核确认的案件数，按审核时间归属（此后撤销的仍计入）。"),
    Figure("cases_dismissed", "撤销", "件", "经执法负责人批准撤销的案件数，按批准时间归属。"),
    Figure("cases_decided", "作出处罚决定", "件", "车辆（车主）事项经批准作出行政处罚决定的案件数，按批准时间归属。"),
    Figure("warnings_decided", "警告", "件", "本机关作出的警告决定数（各当事人事项合计）。"),
    Figure("fines_decided", "罚款决定", "件", "本机关作出的罚款决定数（各当事人事项合计）。"),
    Figure("fines_decided_yuan", "决定罚款金额", "元", "本机关罚款决定的金额之和，按决定时间归属。"),
    Figure("fines_collected_yuan", "实收罚款", "元", "登记缴款的金额之和（不含加处罚款），按缴款登记时间归属。"),
    Figure("source_enterprises_penalised", "处罚源头企业", "家", "期间内本机关对其源头单位事项作出处罚决定的不同企业数（同一企业多次处罚计一家）。"),
    Figure("source_penalties", "源头单位处罚决定", "件", "对货运源头单位作出的处罚决定数。"),
    Figure("enterprises_over_10pct", "超限车辆超过10%的运输企业", "家", "截至期末，一年周期内超限运输车辆数超过本企业车辆总数 10% 的运输企业数（R-ENT-10）。"),
    Figure("enterprises_over_10pct_share_pct", "一超四罚企业占比", "%", "超过 10% 的运输企业数 ÷ 登记的运输企业数 × 100。"),
    Figure("police_referrals", "移交公安", "件", "移交公安机关处理的当事人事项数，按移交时间归属。"),
    Figure("police_outcomes", "公安反馈结果", "件", "公安机关已反馈处理结果的移交事项数，按登记结果时间归属。"),
    Figure("blacklist_entries", "失信名单在列", "条", "期末当日在列的严重违法失信名单条目（车辆、驾驶人、运输企业、维修企业、指使强令者），交办公路〔2017〕8号。"),
)  # fmt: skip
BY_KEY = {f.key: f for f in FIGURES}


def label(key: str) -> str:
    return BY_KEY[key].label


def tooltip(key: str) -> str:
    f = BY_KEY[key]
    return f"{f.label}（{f.unit}）：{f.definition}"
