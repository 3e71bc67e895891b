"""A host that would quietly split a multi-host deployment refuses to start, saying why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service.config import ROOT, Config, ConfigError

SERVER = "postgresql://zhichao:secret@db.example:5432/zhichao"
SHARED = {
    "DATABASE_URL": SERVER,
    "SECRET_KEY": "the-same-on-every-host",
    "DATA_KEY": "YmVuY2gtZGF0YS1rZXktbm90LWZvci1wcm9kLXVzZSE=",
    "REDIS_URL": "redis://queue.example:6379/0",
}


def _env(monkeypatch, tmp_path, **values) -> None:
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    for name in SHARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "unset, words",
    [
        ("SECRET_KEY", "令牌在其他主机上无效"),
        ("DATA_KEY", "重复登记"),
        ("REDIS_URL", "到不了其他主机的 worker"),
    ],
)
def test_a_host_on_a_database_server_without_a_shared_setting_does_not_start(monkeypatch, tmp_path, unset, words):
    _env(monkeypatch, tmp_path, **{k: v for k, v in SHARED.items() if k != unset})
    with pytest.raises(ConfigError, match=words) as caught:
        Config.from_env()
    assert unset in str(caught.value) and "DATABASE_URL 指向数据库服务器" in str(caught.value)
    assert not (tmp_path / "instance" / "secret_key").exists()  # no private key was made


def test_a_data_key_that_is_not_a_fernet_key_is_refused(monkeypatch, tmp_path):
    _env(monkeypatch, tmp_path, **dict(SHARED, DATA_KEY="my-password"))
    with pytest.raises(ConfigError, match="不是有效的 Fernet 密钥"):
        Config.from_env()


def test_with_every_shared_setting_or_on_sqlite_the_host_starts(monkeypatch, tmp_path):
    _env(monkeypatch, tmp_path, **SHARED)
    assert Config.from_env().SECRET_KEY == SHARED["SECRET_KEY"]
    _env(monkeypatch, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'one-machine.db'}")
    assert Config.from_env().REDIS_URL == ""  # the embedded Redis: one machine, nothing to share


def test_the_worker_process_exits_with_the_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SHARED}
    env.update(INSTANCE_DIR=str(tmp_path / "instance"), DATABASE_URL=SERVER, SECRET_KEY="same")
    res = subprocess.run(
        [sys.executable, "-m", "workers", "--burst"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert res.returncode != 0
    assert "DATA_KEY" in res.stderr and "REDIS_URL" in res.stderr and "服务不启动" in res.stderr
    assert "Traceback" not in res.stderr
