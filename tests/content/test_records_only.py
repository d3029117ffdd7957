"""The routers and views of tasks, links, blocks and watchers see only the records their services hand out: none
of them imports a models module."""

import pytest

from tests.test_layers import GRAPH


@pytest.mark.parametrize("package", ["tasks", "links", "blocks", "watchers"])
def test_the_router_and_the_views_import_no_table(package):
    for module in (f"casework.{package}.router", f"casework.{package}.schemas"):
        assert not [target for target in GRAPH[module] if target.endswith(".models")], module
