"""Paging a custom-field sort returns each case exactly once, however many cases have no value and whatever the
page size: the valueless come last, ordered by id, in ascending order as in descending."""

import httpx
import pytest

from tests.helpers import create
from tests.workflow.fields_support import define
from tests.workflow.test_fields_search import pages


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
async def test_ascending_field_pages_return_each_valueless_case_exactly_once(
    client: httpx.AsyncClient, limit: int
) -> None:
    await define(client, "amount", "number")
    # Valueless cases before, between and after the valued ones.
    amounts = [None, 30, None, None, 10, None, 20, None]
    keys = [(await create(client, fields={} if a is None else {"amount": a}))["key"] for a in amounts]
    valued = [keys[4], keys[6], keys[1]]
    valueless = [key for key, amount in zip(keys, amounts, strict=True) if amount is None]
    ascending = await pages(client, "field.amount", "asc", limit=limit)
    assert ascending == valued + valueless
    descending = await pages(client, "field.amount", "desc", limit=limit)
    assert sorted(descending) == sorted(keys) and len(descending) == len(keys)
    assert descending[: len(valued)] == valued[::-1]
