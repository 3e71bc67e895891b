"""Personal data at rest: identity numbers are encrypted (Fernet) and looked up by a keyed hash.

The key comes from DATA_KEY (the same on every host); the embedded set-up keeps
one in instance/data_key. Losing it makes stored identity numbers unreadable,
so production must back it up with the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet
from flask import current_app


def _key() -> bytes:
    if os.environ.get("DATA_KEY"):
        return os.environ["DATA_KEY"].encode()
    path = Path(current_app.config["INSTANCE_DIR"]) / "data_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()


def encrypt(text: str) -> str:
    return Fernet(_key()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return Fernet(_key()).decrypt(token.encode()).decode()


def digest(text: str) -> str:
    """A keyed hash, so the same number is found again without storing it in clear."""
    raw = base64.urlsafe_b64decode(_key())
    return hmac.new(raw, text.strip().upper().encode(), hashlib.sha256).hexdigest()
