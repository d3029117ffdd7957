"""Every knob is an environment variable named CASEWORK_<FIELD>, checked when the settings are read."""

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from limits import RateLimitItem, parse_many
from pydantic import BeforeValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casework.logs import LogFormat

# The longest an OAuth access token may live: a retired signing key verifies nothing older than this.
OAUTH_TOKEN_TTL_MAX = 86400
# PostgreSQL URLs as hosting providers hand them out, and the driver casework uses.
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgresql+psycopg://")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


LogLevel = Annotated[Literal["critical", "error", "warning", "info", "debug", "trace"], BeforeValidator(_lower)]


def parse_rate_limit(value: str) -> RateLimitItem:
    """One limit of at least one request per period ("600/minute"): the limiter would silently drop a second one,
    and zero locks every credential out. ValueError otherwise."""
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if len(items) != 1 or items[0].amount < 1:
        raise ValueError("expected one positive amount per period, like '600/minute'")
    return items[0]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=256)
    # Seconds a worker may take to answer uvicorn's health check, its start-up included (uvicorn's 5 is too
    # few for a small, busy host: workers are killed and restarted before they ever serve).
    worker_healthcheck_timeout: int = Field(default=60, ge=1)
    log_level: LogLevel = "info"
    access_log: bool = False
    # json, console (readable lines), or auto: console when stderr is a terminal, else JSON.
    log_format: Annotated[LogFormat, BeforeValidator(_lower)] = "auto"
    bootstrap_token: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    rate_limit: str = "6000/minute"
    db_pool_size: int = Field(default=8, ge=1, le=1000)
    # Seconds an OAuth access token (POST /api/v1/oauth/token) stays valid.
    oauth_token_ttl: int = Field(default=3600, ge=60, le=OAUTH_TOKEN_TTL_MAX)
    # Case files: the largest one taken, and where they are kept (S3 when a bucket is named, else <data_dir>/files).
    max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = ""
    # The SLA worker inside `casework serve` (`casework serve --no-worker` turns it off), and its pause between passes.
    sla_worker: bool = True
    sla_worker_interval: float = Field(default=30.0, gt=0)
    # FastAPI's own OpenTelemetry of each request (traces, metrics, logs) to the global providers. Off, FastAPI does
    # not look the providers up at every request (~35,000 instructions, 3% of a get, with none configured).
    opentelemetry: bool = False

    @field_validator("rate_limit")
    @classmethod
    def _one_rate_limit(cls, value: str) -> str:
        parse_rate_limit(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is None or value.startswith("sqlite:///"):
            return value
        scheme = next((s for s in POSTGRES_SCHEMES if value.startswith(s)), None)
        if scheme is None:
            raise ValueError("expected sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE")
        return "postgresql+psycopg://" + value.removeprefix(scheme)

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'casework.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
