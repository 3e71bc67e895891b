"""Names of administrative divisions (GB/T 2260) an agency may be created for, and the name an
agency gets when none was given: 吉林省交通运输综合行政执法局 (a province), 长春市…支队 (a city),
长春市朝阳区…大队 (a county). Only Jilin's cities and counties are listed (the service's home);
elsewhere a province is named and a city or county falls back to its code."""

from __future__ import annotations

PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip
# 吉林省's cities and their districts and counties.
PLACE_NAMES = {
    "220100": "长春市", "220102": "南关区", "220103": "宽城区", "220104": "朝阳区", "220105": "二道区",
    "220106": "绿园区", "220112": "双阳区", "220113": "九台区", "220122": "农安县", "220182": "榆树市",
    "220183": "德惠市", "220184": "公主岭市",
    "220200": "吉林市", "220202": "昌邑区", "220203": "龙潭区", "220204": "船营区", "220211": "丰满区",
    "220221": "永吉县", "220281": "蛟河市", "220282": "桦甸市", "220283": "舒兰市", "220284": "磐石市",
    "220300": "四平市", "220302": "铁西区", "220303": "铁东区", "220322": "梨树县", "220323": "伊通满族自治县",
    "220382": "双辽市",
    "220400": "辽源市", "220500": "通化市", "220600": "白山市", "220700": "松原市", "220800": "白城市",
    "222400": "延边朝鲜族自治州",
}  # fmt: skip
SUFFIX = {
    "province": "交通运输综合行政执法局",
    "city": "交通运输综合行政执法支队",
    "county": "交通运输综合行政执法大队",
}


def parent_code(code: str) -> str | None:
    """220104 → 220100 → 220000 → None."""
    if code.endswith("0000"):
        return None
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


def place_name(code: str) -> str:
    """长春市朝阳区 for 220104, 吉林省 for 220000; a code with no known name names itself."""
    if code.endswith("0000"):
        return PROVINCE_NAMES.get(code[:2], f"行政区划 {code}")
    if code.endswith("00"):
        return PLACE_NAMES.get(code, f"行政区划 {code}")
    city = PLACE_NAMES.get(code[:4] + "00")
    own = PLACE_NAMES.get(code)
    if own is None:
        return f"行政区划 {code}"
    # A county-level city is named alone (公主岭市), a district with its city (长春市朝阳区).
    return own if own.endswith("市") or city is None else city + own


def agency_name(code: str) -> str:
    from models.agency import level_of

    return place_name(code) + SUFFIX[level_of(code)]
