"""Runtime configuration: one settings object, environment prefix ``DEBARLIST_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.kernel.db import PoolLimits

# The argon2 profiles a deployment may choose (service.auth.secrets maps each to its parameters).
SecretHashProfile = Literal["rfc9106-low-memory", "rfc9106-high-memory", "cheapest"]
DEFAULT_SECRET_HASH_PROFILE: SecretHashProfile = "rfc9106-low-memory"


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
    # Key rotation (service.auth.keys): retired keys (PEM, private or public), comma-separated;
    # they verify what they signed and are in the JWKS, the key above alone signs.
    previous_signing_key_files: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    issuer: str = "debarlist"
    audience: str = "debarlist-api"
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    max_body_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    checkpoint_interval_seconds: int = Field(default=3600, ge=0)
    # How often the monitoring loop looks for a new list revision to re-screen watchlists
    # against (seconds; 0 = not in this process, e.g. when `debarlist worker` runs it).
    monitoring_interval_seconds: float = Field(default=1.0, ge=0, le=3600)
    # Webhook delivery (service/webhooks): how often the worker looks for due deliveries
    # (seconds; 0 = not in this process, e.g. when `debarlist worker` runs it); how long one POST
    # may take; how long a claimed delivery stays claimed (longer than the timeout: a worker
    # killed mid-delivery leaves it due again after this); retry backoff (base * 2^(attempt-1),
    # capped, with jitter); and how long after queueing a failing delivery is retried before it
    # goes to the dead letter. allow_http / allow_private admit http:// and private, loopback or
    # link-local receivers: for tests and closed networks only.
    webhook_interval_seconds: float = Field(default=1.0, ge=0, le=3600)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    webhook_backoff_base_seconds: float = Field(default=5.0, gt=0, le=3600)
    webhook_backoff_max_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    webhook_give_up_seconds: float = Field(default=3 * 86_400.0, ge=0, le=30 * 86_400)
    webhook_batch_size: int = Field(default=200, ge=1, le=5000)
    webhook_concurrency: int = Field(default=8, ge=1, le=64)
    webhook_allow_http: bool = False
    webhook_allow_private: bool = False
    # The argon2 cost of client secrets, API keys and console passwords (service.auth.secrets,
    # which reads it from the environment for the whole process; declared here so that a wrong
    # value stops the service at start). "cheapest" is argon2-cffi's profile for tests only.
    secret_hash_profile: SecretHashProfile = DEFAULT_SECRET_HASH_PROFILE
    # API clients holding the cross-organisation `operator` role: refused (none is created, an
    # existing one gets no token) unless true. The command line is always the operator.
    allow_operator_clients: bool = False
    # Rate limits (service.limits): shared by every replica through Redis when redis_url is set
    # (redis://host:6379/0), else counted in each process's memory; keys start with the namespace.
    # Token requests per minute per client id and per address; failures per client id and per
    # address within the window before a lockout, which doubles at each further lockout in a day;
    # screening subjects per minute per client, or the organisation's own figure ({"KZ": 20000}).
    # The defaults are guard rails that normal use (the tests, the benches) never meets.
    redis_url: str | None = Field(default=None, repr=False)
    rate_limit_namespace: str = Field(default="debarlist", min_length=1, max_length=64)
    token_attempts_per_minute_per_client: int = Field(default=600, ge=1)
    token_attempts_per_minute_per_address: int = Field(default=6000, ge=1)
    token_failures: int = Field(default=10, ge=1)
    token_failures_per_address: int = Field(default=1000, ge=1)
    token_failure_window_seconds: int = Field(default=300, ge=1, le=86_400)
    token_lockout_seconds: int = Field(default=30, ge=1, le=86_400)
    token_lockout_max_seconds: int = Field(default=900, ge=1, le=86_400)
    screening_subjects_per_minute: int = Field(default=600_000, ge=1)
    screening_subjects_per_minute_by_organisation: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict)
    log_level: str = "INFO"
    # Logs: one JSON object a line (for a log system), or "console" for people at a terminal.
    log_format: Literal["json", "console"] = "json"
    # /metrics: readable with this static bearer token (Prometheus' credentials_file), by the
    # operator role, or by anyone when metrics_public is true.
    metrics_token: SecretStr | None = Field(default=None, repr=False)
    metrics_public: bool = False
    # `debarlist import` bounds (service/importers/limits.py): bytes of a file, and the total
    # uncompressed size an xlsx's zip members declare; rows/lines read from one file; characters
    # in one cell or JSON string; nesting of one JSON line; wall time of one import in seconds.
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(default=50_000, ge=1)
    import_max_cell_chars: int = Field(default=8_192, ge=256)
    import_max_depth: int = Field(default=16, ge=4)
    import_max_seconds: float = Field(default=600.0, gt=0)
    # Database connections. The pool is as large as the worker thread pool (40), so a request
    # never waits for a connection while another request's thread holds one idle; a request that
    # still waits longer than ``db_pool_timeout_seconds`` (or for SQLite's write lock longer than
    # ``db_lock_timeout_seconds``) is answered 503 with Retry-After instead of queueing forever.
    db_pool_size: int = Field(default=10, ge=1, le=500)
    db_max_overflow: int = Field(default=30, ge=0, le=500)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    db_lock_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # Admission: requests served at once (the worker thread pool's size), how many more may wait
    # for a turn, and for how long, before the answer is 503 with Retry-After.
    # Screenings' receipts and audit records committed many to a transaction under load, each
    # durable before its answer (service.kernel.groupcommit); false: one commit per screening.
    group_commit: bool = True
    max_concurrent_requests: int = Field(default=40, ge=1, le=1000)
    max_waiting_requests: int = Field(default=200, ge=0, le=100_000)
    queue_timeout_seconds: float = Field(default=5.0, gt=0, le=300)

    # The screening index at start: loaded from this snapshot file when it fits the database and
    # the engine, then caught up from the ledger; built from the database (and the file written)
    # otherwise. None: always built. "background" serves at once (/readyz 503 and screening 503
    # with Retry-After until the index is current); "blocking" builds before serving.
    index_snapshot_file: Path | None = None
    index_warmup: Literal["blocking", "background"] = "blocking"
    # `debarlist serve` worker processes (forked after the index is built); 0: one per core.
    workers: int = Field(default=0, ge=0, le=64)

    @field_validator("previous_signing_key_files", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _lease_outlasts_a_delivery(self) -> Settings:
        # A lease shorter than a POST may take would let a second worker send the same delivery
        # while the first still waits for its answer.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError("DEBARLIST_WEBHOOK_LEASE_SECONDS must exceed DEBARLIST_WEBHOOK_TIMEOUT_SECONDS")
        return self

    def pool_limits(self) -> PoolLimits:
        return PoolLimits(size=self.db_pool_size, overflow=self.db_max_overflow,
                          timeout=self.db_pool_timeout_seconds, lock_timeout=self.db_lock_timeout_seconds)

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
