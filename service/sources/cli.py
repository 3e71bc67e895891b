"""Operator commands of the source side (CONTRACT §6): `weighbridges create`, `loadings import`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from service.errors import DomainError
from service.extensions import db

weighbridges_cli = AppGroup("weighbridges", help="货运源头单位出场地磅")
loadings_cli = AppGroup("loadings", help="出场称重记录")


@weighbridges_cli.command("create")
@click.argument("code")
@click.option("--enterprise", "uscc", required=True, help="所属货运源头单位的统一社会信用代码")
@click.option("--name", required=True)
@click.option("--calibrated-until", default=None, help="检定有效期至 YYYY-MM-DD")
@click.option("--accuracy-class", default=None, help="准确度等级")
def weighbridges_create(code, uscc, name, calibrated_until, accuracy_class) -> None:
    """Register an exit weighbridge; prints its device token alone on the last line."""
    from service.sources.weighbridges import create_weighbridge

    try:
        until = date.fromisoformat(calibrated_until) if calibrated_until else None
    except ValueError:
        raise click.BadParameter("须为 YYYY-MM-DD", param_hint="--calibrated-until") from None
    try:
        bridge, clear = create_weighbridge(code, uscc, name, until, accuracy_class)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"已登记出场地磅 {bridge.code} {bridge.name}；地磅令牌（仅显示一次）：")
    click.echo(clear)


@weighbridges_cli.command("list")
def weighbridges_list() -> None:
    """Every weighbridge with its enterprise, verification and last record."""
    from service.sources.queries import weighbridge_rows

    for r in weighbridge_rows():
        last = r["last_weighed_at"].isoformat() if r["last_weighed_at"] else "无记录"
        click.echo(f"{r['code']}\t{r['enterprise_name']}\t检定至 {r['calibrated_until'] or '未登记'}\t最近 {last}")


@loadings_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def loadings_import(file: Path) -> None:
    """Import a CSV of loadings; prints accepted / duplicate / rejected and each rejected row."""
    from service.ingest import imports

    job = imports.store_upload(file.name, file.read_bytes(), kind="loadings")
    db.session.commit()
    job = imports.run_import(job, progress=lambda done, total: click.echo(f"\r{done}/{total}", nl=False, err=True))
    click.echo("", err=True)
    if job.status == "failed":
        click.echo(job.message or "导入失败", err=True)
        sys.exit(1)
    click.echo(f"accepted {job.accepted}  duplicate {job.duplicates}  rejected {job.rejected}")
    for err in job.errors:
        detail = "; ".join(f"{k}: {'，'.join(v)}" for k, v in err["errors"].items())
        click.echo(f"第 {err['line']} 行 ({err.get('record_id') or '-'}): {detail}")


def _sites_locate():
    """`sites locate CODE --latitude … --longitude …`: where a site is (tracing measures how near a
    source enterprise a sighting was). Added to the operators' `sites` group."""
    from service.cli import sites_cli

    @sites_cli.command("locate")
    @click.argument("code")
    @click.option("--latitude", type=click.FloatRange(-90, 90), required=True, help="纬度（WGS-84）")
    @click.option("--longitude", type=click.FloatRange(-180, 180), required=True, help="经度（WGS-84）")
    def sites_locate(code: str, latitude: float, longitude: float) -> None:
        from sqlalchemy import select

        from models import Site
        from service import audit

        site = db.session.scalar(select(Site).where(Site.code == code))
        if site is None:
            raise click.ClickException(f"点位 {code} 不存在")
        site.latitude, site.longitude = latitude, longitude
        audit.record("site.locate", "site", site.code, actor="cli", data={"latitude": latitude, "longitude": longitude})
        db.session.commit()
        click.echo(f"已登记点位 {code} 的位置：{latitude}, {longitude}")


_sites_locate()
