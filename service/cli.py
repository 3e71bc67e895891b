"""Operator commands (CONTRACT §2): `flask --app wsgi …`."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from models.site import SITE_KINDS
from models.user import ROLES
from service.admin import operations as ops
from service.config import ConfigError, load_rule_settings, rule_settings
from service.extensions import db
from service.rules.settings import DEFAULT

users_cli = AppGroup("users", help="用户管理")
sites_cli = AppGroup("sites", help="点位管理")
demo_cli = AppGroup("demo", help="演示数据")
readings_cli = AppGroup("readings", help="检测记录")
outbox_cli = AppGroup("outbox", help="后续任务发件箱")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@click.option("--name", "display_name", default=None, help="显示姓名")
def users_create(username: str, role: str, password: str, display_name: str | None) -> None:
    """Create a user with a hashed password."""
    try:
        user = ops.create_user(username, role, password, display_name=display_name)
    except ops.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{role}）")


def _user(username: str):
    from sqlalchemy import select

    from models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在")
    return user


@users_cli.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate a user: their API tokens and console sessions end at once."""
    ops.set_active(_user(username), False)
    db.session.commit()
    click.echo(f"已停用用户 {username}：其访问令牌和控制台会话已失效")


@users_cli.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Reactivate a user (they log in again; old tokens stay ended)."""
    ops.set_active(_user(username), True)
    db.session.commit()
    click.echo(f"已启用用户 {username}")


@users_cli.command("reset-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def users_reset_password(username: str, password: str) -> None:
    """Set a new password: the user's API tokens and console sessions end at once."""
    try:
        ops.reset_password(_user(username), password)
    except ops.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已重置用户 {username} 的密码：其访问令牌和控制台会话已失效")


@sites_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(SITE_KINDS))
@click.option("--region", "region_code", default=None)
@click.option("--calibrated-until", default=None, help="检定有效期至 YYYY-MM-DD")
@click.option("--accuracy-class", default=None, help="JJG 907 准确度等级，如 5")
@click.option("--tolerance-pct", type=float, default=None, help="计量误差扣除 %")
def sites_create(code, name, kind, region_code, calibrated_until, accuracy_class, tolerance_pct) -> None:
    """Create a site; prints its device token alone on the last line."""
    try:
        until = date.fromisoformat(calibrated_until) if calibrated_until else None
    except ValueError:
        raise click.BadParameter("须为 YYYY-MM-DD", param_hint="--calibrated-until") from None
    try:
        site, clear = ops.create_site(code, name, kind, region_code, until, accuracy_class, tolerance_pct)
    except ops.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已创建点位 {site.code} {site.name}（{kind}）；设备令牌（仅显示一次）：")
    click.echo(clear)


@sites_cli.command("calibrate")
@click.argument("code")
@click.option("--until", "valid_until", required=True, help="检定有效期至 YYYY-MM-DD")
@click.option("--from", "valid_from", default=None, help="检定日期 YYYY-MM-DD")
@click.option("--certificate", "certificate_no", default=None, help="检定证书编号")
@click.option("--accuracy-class", default=None)
def sites_calibrate(code, valid_until, valid_from, certificate_no, accuracy_class) -> None:
    """Record a device verification certificate (检定) for a site."""
    from sqlalchemy import select

    from models import Site

    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise click.ClickException(f"点位 {code} 不存在")
    try:
        until = date.fromisoformat(valid_until)
        start = date.fromisoformat(valid_from) if valid_from else None
    except ValueError:
        raise click.BadParameter("日期须为 YYYY-MM-DD") from None
    try:
        ops.record_calibration(site, until, start, certificate_no, accuracy_class)
    except ops.AdminError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已登记 {code} 的检定：有效期至 {until}")


@sites_cli.command("list")
def sites_list() -> None:
    """All sites with their kind and verification validity."""
    from sqlalchemy import select

    from models import Site

    for site in db.session.scalars(select(Site).order_by(Site.code)):
        click.echo(
            f"{site.code}\t{site.kind}\t{site.region_code or '-'}\t检定至 {site.calibrated_until or '未登记'}\t{site.name}"
        )


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo data set (idempotent)."""
    from service.demo import load_demo

    summary = load_demo()
    click.echo(summary)


@readings_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def readings_import(file: Path) -> None:
    """Import a CSV of readings with a progress bar."""
    from tqdm import tqdm

    from service.ingest import imports

    job = imports.store_upload(file.name, file.read_bytes())
    db.session.commit()
    with tqdm(total=None, unit="行", desc=f"导入 {file.name}", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        job = imports.run_import(job, progress=progress)
    if job.status == "failed":
        raise click.ClickException(job.message or "导入失败")
    click.echo(f"accepted {job.accepted}  duplicate {job.duplicates}  rejected {job.rejected}")
    click.echo(f"新增 {job.accepted} 条，重复 {job.duplicates} 条，拒收 {job.rejected} 条")
    for err in job.errors:
        detail = "; ".join(f"{k}: {'，'.join(v)}" for k, v in err["errors"].items())
        click.echo(f"第 {err['line']} 行 ({err.get('record_id') or '-'}): {detail}")
    if job.rejected > len(job.errors):
        click.echo(f"……另有 {job.rejected - len(job.errors)} 行被拒收，未逐行列出")


@outbox_cli.command("drain")
def outbox_drain() -> None:
    """Run pending follow-up work here and now (no Redis needed)."""
    from service.outbox import drain, pending_count

    handled = drain(max_batches=10_000)
    click.echo(f"已处理 {handled} 条，剩余 {pending_count()} 条")


@outbox_cli.command("status")
def outbox_status() -> None:
    """How many follow-up rows wait for the worker."""
    from service.outbox import pending_count

    click.echo(f"待处理 {pending_count()} 条")


audit_cli = AppGroup("audit", help="审计日志")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit non-zero naming the first bad event."""
    from service.audit import verify

    ok, bad, checked = verify()
    if ok:
        click.echo(f"审计链完整：已校验 {checked} 条事件")
        return
    if bad is None:
        click.echo(f"审计链被截断：链头与最后一条事件（已校验 {checked} 条）不一致", err=True)
    else:
        click.echo(
            f"审计链校验失败：事件 #{bad.id}（{bad.action} {bad.object_type} {bad.object_id}，"
            f"{bad.at:%Y-%m-%d %H:%M:%S}）的哈希不符",
            err=True,
        )
    sys.exit(1)


rules_cli = AppGroup("rules", help="规则设置（待确认值、地方规定、法定节假日）")


def _setting_text(value) -> str:
    if isinstance(value, frozenset):  # a calendar: days per year, not every date
        if not value:
            return "（空）"
        years = Counter(d.year for d in value)
        return "，".join(f"{y} 年 {n} 天" for y, n in sorted(years.items()))
    if isinstance(value, tuple):
        if not value:
            return "（空）"
        if isinstance(value[0], tuple):  # accuracy class → MPE %
            return "，".join(f"{k} 级 ±{v:g}%" for k, v in value)
        return "，".join(value)
    if value is None:
        return "不设"
    return value.isoformat() if isinstance(value, date) else str(value)


def _print_settings(settings) -> None:
    for f in dataclass_fields(settings):
        value, default = getattr(settings, f.name), getattr(DEFAULT, f.name)
        line = f"{f.name} = {_setting_text(value)}"
        if value != default:
            line += f"    （已改，默认 {_setting_text(default)}）"
        click.echo(line)


@rules_cli.command("show")
def rules_show() -> None:
    """The settings the rules run with here, and which differ from the defaults."""
    path = current_app.config["RULE_SETTINGS_FILE"]
    click.echo(f"来源：{path}" if path else "来源：默认值（未设 RULE_SETTINGS_FILE）")
    _print_settings(rule_settings())
    for name in ("REWEIGH_WINDOW_HOURS", "BAIDUNWANG_WATCH_DAYS"):  # UNCONFIRMED, from the environment
        click.echo(f"{name} = {current_app.config[name]}    （环境变量）")


@rules_cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def rules_check(file: Path) -> None:
    """Check a settings file before pointing RULE_SETTINGS_FILE at it; changes nothing."""
    try:
        settings = load_rule_settings(file)
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{file} 可以使用。重启 Web 与 worker 后生效：")
    _print_settings(settings)


def register(app: Flask) -> None:
    from service.sources.cli import loadings_cli, weighbridges_cli

    for group in (users_cli, sites_cli, demo_cli, readings_cli, outbox_cli, audit_cli, rules_cli):
        app.cli.add_command(group)
    for group in (weighbridges_cli, loadings_cli):  # the source side (CONTRACT §6)
        app.cli.add_command(group)
    from service.referrals.cli import referrals_cli

    app.cli.add_command(referrals_cli)  # the police package (CONTRACT §5)
