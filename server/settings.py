"""The one settings object: environment variables (prefix ``INTERVIEW_``) and CLI flags."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEW_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    public_base_url: str | None = Field(
        default=None, description="Base URL put into candidate links; defaults to http://host:port"
    )
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default is a SQLite file in data_dir"
    )
    bus_url: str = Field(default="memory://", description="memory:// (one process) or redis://host:port/db")
    secret_key: str | None = Field(default=None, description="Signs links and sessions; generated once if unset")

    # WebRTC
    ice_host_addresses: list[str] = Field(
        default_factory=list,
        description="Addresses advertised as ICE host candidates (public IP behind NAT; 127.0.0.1 in tests). "
        "Empty: every non-loopback interface address.",
    )
    max_sdp_bytes: int = 64 * 1024

    # Links and logins
    link_max_age_s: int = 7 * 24 * 3600
    session_max_age_s: int = 12 * 3600

    # Speech recognition: model id per interview language (see analyzers/model_registry.py)
    asr_models: dict[str, str] = Field(
        default_factory=lambda: {"en": "whisper-tiny.en", "zh": "whisper-base", "ko": "vosk-ko"}
    )
    model_cache_dir: Path | None = None
    allow_model_download: bool = False
    inference_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))

    # Analysis of observable behaviour (face, posture, hands, voice); only with the candidate's consent
    nonverbal_analysis: bool = True
    analysis_cpu_budget: float = Field(default=0.12, description="Cores one session's video analysis may use")

    # Scoring and follow-ups
    nonverbal_weight: float = Field(default=0.0, ge=0.0, le=0.5,
                                    description="Weight of non-verbal observations in scores; forced to 0 for EU orgs")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint for follow-up decisions "
                                     "(off when unset; the rule-based policy decides and is the fallback)")
    llm_api_key: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 4.0

    # E-mail invitations (SMTP)
    smtp_host: str | None = Field(default=None, description="SMTP server; invitations by e-mail are off when unset")
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "AI Interview <no-reply@localhost>"

    # Invitations by signed webhook (for SMS gateways and other systems)
    invite_webhook_url: str | None = None
    invite_webhook_secret: str | None = None

    # Limits
    max_observers_per_interview: int = 50
    event_queue_size: int = 1000

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'interview.db').resolve()}"

    @cached_property
    def resolved_model_cache_dir(self) -> Path:
        return (self.model_cache_dir or self.data_dir / "models").resolve()

    @cached_property
    def resolved_base_url(self) -> str:
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one generated on first start and kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
