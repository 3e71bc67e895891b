"""A poisoned CSV row is refused alone, with its line number; the rest of the file is stored
(CONTRACT §4 "Bulk files", issue 16 item 1). Through the API and a real worker, and through the
operator command `readings import`. Each of these rows failed the whole job, or crashed the
command, before."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from models import Reading
from service.extensions import db
from tests.conftest import ago

HEADER = "site_code,record_id,captured_at,plate,axle_count,gross_weight_kg,axle_weights_kg,speed_kmh,lane,length_mm\n"
GOOD_ROWS = 30


def good(i: int, when: str) -> bytes:
    return (
        f"JL-WIM-01,G-{i:04d},{when},吉A{10000 + i},6,{40000 + i},7000;7000;7000;7000;7000;7000,62.5,2,16000\n".encode()
    )


def poisoned_rows(when: str) -> dict[str, tuple[bytes, str]]:
    """name → (the row's bytes, the column its error must name)."""

    def row(record_id: bytes, **cells: str | bytes) -> bytes:
        values: dict[str, str | bytes] = {
            "captured_at": when,
            "plate": "吉A99999",
            "axle_count": "6",
            "gross_weight_kg": "40000",
            "axle_weights_kg": "",
            "speed_kmh": "",
            "lane": "",
            "length_mm": "",
        }
        values.update(cells)
        tail = b",".join(v if isinstance(v, bytes) else v.encode() for v in values.values())
        return b"JL-WIM-01," + record_id + b"," + tail + b"\n"

    return {
        "axle_count 400 digits": (row(b"P-1", axle_count="9" * 400), "axle_count"),
        "gross 400 digits": (row(b"P-2", gross_weight_kg="9" * 400), "gross_weight_kg"),
        "gross 5000 digits": (row(b"P-3", gross_weight_kg="9" * 5000), "gross_weight_kg"),
        "lane 2^63": (row(b"P-4", lane=str(2**63)), "lane"),
        "length 2^63": (row(b"P-5", length_mm=str(2**63)), "length_mm"),
        "captured_at year 1 at +14:00": (row(b"P-6", captured_at="0001-01-01T00:00:00+14:00"), "captured_at"),
        "speed 1e308": (row(b"P-7", speed_kmh="1e308"), "speed_kmh"),
        "axle weight 1e308": (row(b"P-8", axle_weights_kg="1;1;1;1;1;1e308"), "axle_weights_kg"),
        # the UTF-8 form of a lone surrogate, which strict UTF-8 decoding refuses
        "record_id not UTF-8": (row(b"P-\xed\xa0\x80"), "record_id"),
        "plate in GBK": (row(b"P-9", plate="吉A12345".encode("gbk")), "plate"),
        "a cell over the csv module's size limit": (b'JL-WIM-01,"' + b"x" * 140_000 + b'"\n', "_row"),
    }


def file_with_poison(when: str) -> tuple[bytes, dict[int, str]]:
    """The CSV bytes, and line number → the column its error must name."""
    lines, expected = [HEADER.encode()], {}
    poisons = list(poisoned_rows(when).values())
    for i in range(GOOD_ROWS):
        lines.append(good(i, when))
        if i % 2 == 1 and poisons:
            data, column = poisons.pop(0)
            lines.append(data)
            expected[len(lines)] = column
    assert not poisons
    return b"".join(lines), expected


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reading))


def assert_rejections(errors: list[dict], expected: dict[int, str]) -> None:
    by_line = {e["line"]: e["errors"] for e in errors}
    assert set(by_line) == set(expected), by_line
    for line, column in expected.items():
        assert column in by_line[line], (line, by_line[line])


@pytest.fixture
def site(make_site):
    return make_site("JL-WIM-01", "wim")


def test_api_import_refuses_each_poisoned_row_alone_with_its_line(app, client, site, login, run_worker):
    data, expected = file_with_poison(ago(hours=2))
    admin = login("admin")
    res = client.post(
        "/api/v1/readings/imports",
        data={"file": (io.BytesIO(data), "poisoned.csv")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert res.status_code == 202
    run_worker()  # drains the outbox, which queues the import
    run_worker()  # runs it
    job = client.get(f"/api/v1/readings/imports/{res.get_json()['id']}", headers=admin).get_json()
    assert job["status"] == "done", job["message"]
    assert (job["accepted"], job["rejected"]) == (GOOD_ROWS, len(expected))
    assert_rejections(job["errors"], expected)
    assert stored(app) == GOOD_ROWS
    not_utf8 = next(e for e in job["errors"] if "P-\\udc" in (e["record_id"] or ""))
    assert "UTF-8" in not_utf8["errors"]["record_id"][0]


def test_operator_command_refuses_each_poisoned_row_alone_and_lists_it(app, site, tmp_path):
    data, expected = file_with_poison(ago(hours=2))
    path = tmp_path / "poisoned.csv"
    path.write_bytes(data)
    result = app.test_cli_runner().invoke(args=["readings", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"accepted {GOOD_ROWS}  duplicate 0  rejected {len(expected)}" in result.output
    for line, column in expected.items():
        assert f"第 {line} 行" in result.output and column in result.output
    assert stored(app) == GOOD_ROWS


def test_a_header_that_is_not_utf8_still_fails_the_file_with_a_clear_message(app, site, tmp_path):
    path = tmp_path / "gbk-header.csv"
    path.write_bytes(HEADER.replace("plate", "车牌").encode("gbk") + good(0, ago(hours=1)))
    result = app.test_cli_runner().invoke(args=["readings", "import", str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert stored(app) == 0
