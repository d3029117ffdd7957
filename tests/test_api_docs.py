"""/docs and /redoc of the native API and of each dialect work offline: every script, style and icon they load
is served by casework itself, under the same prefix as the page."""

import re
from pathlib import Path

import httpx
import pytest

from casework.app import create_app
from casework.dialects.installed import DIALECTS
from casework.settings import Settings

PREFIXES = ["", *(dialect.prefix for dialect in DIALECTS)]
URL = re.compile(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']|spec-url=["']([^"']+)["']""")


@pytest.fixture
async def server(tmp_path: Path):
    app = create_app(Settings(data_dir=tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client
    app.state.db.dispose()


@pytest.mark.parametrize("page", ["docs", "redoc"])
@pytest.mark.parametrize("prefix", PREFIXES)
async def test_every_asset_of_the_docs_is_served_by_casework_under_the_pages_prefix(server, prefix: str, page: str):
    response = await server.get(f"{prefix}/{page}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "cdn." not in response.text and "fonts.googleapis" not in response.text
    urls = {next(group for group in match if group) for match in URL.findall(response.text)}
    assert f"{prefix}/openapi.json" in urls
    scripts = [url for url in urls if url.endswith(".js")]
    assert scripts, response.text
    for url in urls:
        assert url.startswith(f"{prefix}/"), url
        fetched = await server.get(url)
        assert fetched.status_code == 200, url
        if url.endswith(".js"):
            assert "javascript" in fetched.headers["content-type"] and len(fetched.content) > 100_000
        if url.endswith(".css"):
            assert fetched.headers["content-type"].startswith("text/css")


async def test_the_assets_are_not_in_the_api_description(server):
    for prefix in PREFIXES:
        paths = (await server.get(f"{prefix}/openapi.json")).json()["paths"]
        assert not [path for path in paths if "docs" in path or "redoc" in path]
