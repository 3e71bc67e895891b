"""The agency's package key (Ed25519): signs each package's manifest, so a package rebuilt with
a fresh manifest is caught as well as an altered file.

`REFERRAL_SIGNING_KEY` (the private key as PEM, or its 32 raw bytes in Base64) sets it, the same
on every host that builds packages; without it the key is made once on first start and kept in
instance/referral_signing_key (like SECRET_KEY). With DATABASE_URL naming a server (several
hosts), a host of its own key would sign packages the police cannot check against the key
they were given, so building a package refuses and says why.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from service.errors import DomainError

KEY_FILE = "referral_signing_key"
ENV = "REFERRAL_SIGNING_KEY"


def _parse_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))


def private_key() -> Ed25519PrivateKey:
    """This deployment's signing key: REFERRAL_SIGNING_KEY, else the one kept in instance/."""
    if os.environ.get(ENV):
        try:
            return _parse_private(os.environ[ENV])
        except ValueError as exc:
            raise DomainError(f"{ENV} 不是有效的 Ed25519 私钥（PEM 或 32 字节 Base64）", 500) from exc
    url = current_app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if url and not url.startswith("sqlite") and not current_app.config.get("TESTING"):
        raise DomainError(
            f"数据库为多台主机共用，须在每台主机设置相同的 {ENV}（移交包签名私钥），否则公安机关无法用同一公钥核验", 503
        )
    return ensure_key_file(Path(current_app.config["INSTANCE_DIR"]))


def ensure_key_file(instance_dir: Path) -> Ed25519PrivateKey:
    """The key in instance/, made on first use (the file is readable by this user only)."""
    path = instance_dir / KEY_FILE
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_suffix(".part")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(path)
    return _parse_private(path.read_text())


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, grouped for reading aloud over the phone."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, 64, 4))


def load_public(text: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(text.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data)).decode()


def verify(public: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
