"""Linking and unlinking one pair from both sides at once ends consistent: never a 500, never a deadlock."""

import asyncio

import pytest

from tests.helpers import activity, create, read
from tests.links.test_links import INVERSE, all_links, link, links_url


def pair_entries(entries, partner):
    """The linked/unlinked entries of a case that concern its link to `partner`."""
    found = []
    for entry in entries:
        if entry["action"] in ("linked", "unlinked"):
            old, new = entry["changes"]["link"]
            if (old or new)["case_id"] == partner["id"]:
                found.append(entry["action"])
    return found


async def assert_pair_consistent(client, a, b, only_pair=True) -> bool:
    """Either linked from both sides with inverse relations, or from neither; counters and activity agree.

    only_pair: the two cases have no other links (their counters and versions then tell about this pair alone).
    """
    from_a = [i for i in await all_links(client, a) if i["case"]["id"] == b["id"]]
    from_b = [i for i in await all_links(client, b) if i["case"]["id"] == a["id"]]
    assert len(from_a) == len(from_b) <= 1
    case_a, case_b = await read(client, a), await read(client, b)
    if only_pair:
        assert await all_links(client, a) == from_a and await all_links(client, b) == from_b
        assert case_a["counts"]["links"] == len(from_a)
        assert case_b["counts"]["links"] == len(from_b)
    if from_a:
        assert from_b[0]["relation"] == INVERSE[from_a[0]["relation"]]
    # Every write that succeeded moved both versions once and logged once on each side.
    entries_a = pair_entries(await activity(client, a), b)
    entries_b = pair_entries(await activity(client, b), a)
    assert entries_a == entries_b
    if only_pair:
        assert case_a["version"] == case_b["version"] == 1 + len(entries_a)
    # Links and unlinks alternate, starting with a link, and the last one says where the pair ended.
    assert entries_a == ["linked", "unlinked"] * (len(entries_a) // 2) + ["linked"] * (len(entries_a) % 2)
    assert bool(from_a) == (len(entries_a) % 2 == 1)
    return bool(from_a)


async def test_linking_one_pair_from_both_sides_at_once_links_it_once(client):
    a, b = await create(client), await create(client)
    responses = await asyncio.gather(
        *(link(client, a, b["id"], "duplicates") for _ in range(4)),
        *(link(client, b, a["id"], "parent") for _ in range(4)),
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert await assert_pair_consistent(client, a, b)


async def test_unlinking_one_pair_from_both_sides_at_once_unlinks_it_once(client):
    a, b = await create(client), await create(client)
    await link(client, a, b["id"])
    responses = await asyncio.gather(
        *(client.delete(links_url(a, b["id"])) for _ in range(4)),
        *(client.delete(links_url(b, a["id"])) for _ in range(4)),
    )
    assert sorted(r.status_code for r in responses) == [204] + [404] * 7, [r.text for r in responses]
    assert not await assert_pair_consistent(client, a, b)


@pytest.mark.parametrize("rounds", [3])
async def test_mixed_links_and_unlinks_of_one_pair_from_both_sides_end_consistent(client, rounds):
    a, b = await create(client), await create(client)
    for _ in range(rounds):
        responses = await asyncio.gather(
            link(client, a, b["id"], "duplicates"),
            link(client, b, a["key"], "child"),
            client.delete(links_url(a, b["key"])),
            client.delete(links_url(b, a["id"])),
            link(client, a, b["key"], "related"),
            client.delete(links_url(a, b["id"])),
        )
        assert {r.status_code for r in responses} <= {201, 204, 404, 409}, [r.text for r in responses]
        await assert_pair_consistent(client, a, b)


async def test_links_around_a_ring_from_every_side_at_once_do_not_deadlock(client):
    cases = [await create(client) for _ in range(6)]
    pairs = [(cases[i], cases[(i + 1) % len(cases)]) for i in range(len(cases))]
    # Each pair linked from both ends at once: every case is locked by two neighbours' links in opposite orders.
    responses = await asyncio.gather(
        *(link(client, x, y["id"], "related") for x, y in pairs),
        *(link(client, y, x["id"], "related") for x, y in pairs),
    )
    assert sorted(r.status_code for r in responses) == [201] * 6 + [409] * 6, [r.text for r in responses]
    for x, y in pairs:
        assert await assert_pair_consistent(client, x, y, only_pair=False) is True
    assert [(await read(client, c))["counts"]["links"] for c in cases] == [2] * 6
    responses = await asyncio.gather(
        *(client.delete(links_url(x, y["id"])) for x, y in pairs),
        *(client.delete(links_url(y, x["id"])) for x, y in pairs),
    )
    assert sorted(r.status_code for r in responses) == [204] * 6 + [404] * 6, [r.text for r in responses]
    assert [(await read(client, c))["counts"]["links"] for c in cases] == [0] * 6
    for x, y in pairs:
        assert await assert_pair_consistent(client, x, y, only_pair=False) is False
    # Each case: created, then linked and unlinked by each of its two neighbours.
    assert [(await read(client, c))["version"] for c in cases] == [5] * 6
