"""FastAPI's own OpenTelemetry runs only with CASEWORK_OPENTELEMETRY: off (the default), no request looks up the
global providers, on the native API or in a dialect; on, a configured tracer provider gets a span for each request."""

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry import trace

from casework.app import create_app
from casework.db.database import Database
from casework.settings import Settings
from tests.conftest import Tenant
from tests.helpers import app_client


class RecordingTracer(trace.NoOpTracer):
    def __init__(self) -> None:
        self.spans: list[str] = []

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.spans.append(name)
        return super().start_span(name, *args, **kwargs)


class RecordingProvider(trace.TracerProvider):
    def __init__(self) -> None:
        self.tracer = RecordingTracer()
        self.lookups = 0

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return self.tracer


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> RecordingProvider:
    """The global tracer provider, as an OpenTelemetry SDK set up by the operator would be, counting lookups."""
    recording = RecordingProvider()

    def looked_up() -> RecordingProvider:
        recording.lookups += 1
        return recording

    monkeypatch.setattr(trace, "get_tracer_provider", looked_up)
    return recording


def _app(db: Database, tmp_path: Path, opentelemetry: bool | None) -> FastAPI:
    options = {} if opentelemetry is None else {"opentelemetry": opentelemetry}
    return create_app(Settings(data_dir=tmp_path, rate_limit="100000/minute", **options), db)


async def _requests(app: FastAPI, tenant: Tenant) -> None:
    async with app_client(app, headers=tenant.admin.headers) as client:
        native = await client.get("/api/v1/cases")
        dialect = await client.get("/kibana/api/cases/_find", headers={"Authorization": f"ApiKey {tenant.admin.token}"})
    assert (native.status_code, dialect.status_code) == (200, 200), (native.text, dialect.text)


@pytest.mark.parametrize("opentelemetry", [None, False])
async def test_off_by_default_no_request_looks_up_the_providers(
    db: Database, tmp_path: Path, tenant: Tenant, provider: RecordingProvider, opentelemetry: bool | None
) -> None:
    await _requests(_app(db, tmp_path, opentelemetry), tenant)
    assert provider.lookups == 0
    assert provider.tracer.spans == []


async def test_on_each_request_gets_a_span(
    db: Database, tmp_path: Path, tenant: Tenant, provider: RecordingProvider
) -> None:
    await _requests(_app(db, tmp_path, True), tenant)
    assert provider.lookups > 0
    # One server span a request (named by its method): the dialect's own app does not trace again a request the
    # host app traces. FastAPI's spans of a dialect route's dependencies and endpoint follow.
    assert [name for name in provider.tracer.spans if not name.startswith("fastapi.")] == ["GET", "GET"]
