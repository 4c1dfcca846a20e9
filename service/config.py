"""Runtime configuration: one settings object, environment prefix ``DEBARLIST_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEBARLIST_", extra="ignore")

    # "development" is what a fresh checkout runs: SQLite in the working directory and a
    # signing key generated on first start. Anything else is treated as production.
    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./debarlist.db"
    # PEM file with the RSA private key used for tokens and audit checkpoints.
    # In development it is created beside the SQLite database when missing.
    signing_key_file: Path | None = None
    signing_key: str | None = Field(default=None, repr=False)
    issuer: str = "debarlist"
    audience: str = "debarlist-api"
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    checkpoint_interval_seconds: int = Field(default=3600, ge=0)
    log_level: str = "INFO"

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def default_key_path(self) -> Path:
        """Where the development key lives: beside the SQLite file, or in the working directory."""
        if self.is_sqlite and ":///" in self.database_url:
            db_path = self.database_url.split(":///", 1)[1]
            if db_path and db_path != ":memory:":
                return Path(db_path).resolve().parent / "debarlist.key.pem"
        return Path.cwd() / "debarlist.key.pem"


@lru_cache
def get_settings() -> Settings:
    return Settings()
