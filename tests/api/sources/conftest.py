"""Source enterprises with exit weighbridges, for the source investigators' tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.rules.registry import uscc_check_digit


def uscc(body: str) -> str:
    return body + uscc_check_digit(body)


QUARRY = uscc("91220302MA0Y1H6F4")
SAND = uscc("92220211MA0X5P3R1")
CARRIER = uscc("91220100MA17Q8R3X")


@pytest.fixture
def enterprise(app):
    """enterprise(uscc, name, kind="source", **columns) → its id."""
    from models import Enterprise
    from service.extensions import db

    def make(code: str = QUARRY, name: str = "四平市铁东区金石采石有限公司", kind: str = "source", **columns):
        with app.app_context():
            e = Enterprise(uscc=code, name=name, kind=kind, created_at=datetime.now(UTC), **columns)
            db.session.add(e)
            db.session.commit()
            return e.id

    return make


@pytest.fixture
def weighbridge(app, enterprise):
    """weighbridge(code, uscc=QUARRY, calibrated_until=…) → (weighbridge id, token header);
    the enterprise is registered first when it is not yet."""
    from sqlalchemy import select

    from models import Enterprise
    from service.extensions import db
    from service.sources.weighbridges import create_weighbridge

    def make(code: str = "JS-WB-01", code_uscc: str = QUARRY, calibrated_until=date(2099, 12, 31), **kw):
        with app.app_context():
            if db.session.scalar(select(Enterprise.id).where(Enterprise.uscc == code_uscc)) is None:
                enterprise(code_uscc, kw.pop("enterprise_name", "四平市铁东区金石采石有限公司"))
            bridge, token = create_weighbridge(code, code_uscc, f"出场地磅 {code}", calibrated_until)
            db.session.commit()
            return bridge.id, {"Authorization": f"Bearer {token}"}

    return make
