"""`flask referrals verify FILE.zip [--public-key FILE]` (CONTRACT §2, §5): exit 0 when every file
of the package matches its manifest and the manifest's signature holds; otherwise non-zero,
naming each altered, missing or unlisted file and a bad or missing signature."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

referrals_cli = AppGroup("referrals", help="移交公安（移交包核验、签名公钥）")


@referrals_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="交付方的签名公钥（PEM）；不给时用本机关的密钥",
)
def referrals_verify(file: Path, public_key_file: Path | None) -> None:
    """核验移交包：逐个文件核对清单中的大小和 SHA-256，并核验清单签名。"""
    from service.referrals import signing
    from service.referrals.package import verify_package

    if public_key_file is not None:
        try:
            public = signing.load_public(public_key_file.read_text())
        except ValueError as exc:
            raise click.ClickException(f"{public_key_file} 不是 Ed25519 公钥（PEM）") from exc
    else:
        public = signing.private_key().public_key()
    problems, checked = verify_package(file, public)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"核验未通过：{len(problems)} 处问题（公钥指纹 {signing.fingerprint(public)}）")
        raise SystemExit(1)
    click.echo(f"核验通过：{checked} 个文件与清单一致，签名有效（公钥指纹 {signing.fingerprint(public)}）")


@referrals_cli.command("public-key")
def referrals_public_key() -> None:
    """打印本机关的移交包签名公钥（PEM）及指纹，交公安机关核验移交包。"""
    from service.referrals import signing

    key = signing.private_key()
    click.echo(signing.public_pem(key), nl=False)
    click.echo(f"指纹（SHA-256）：{signing.fingerprint(key)}")
