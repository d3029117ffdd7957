"""Adding and reading blocks: order, nesting by guid, element shapes, html sanitising, version and activity."""

import uuid

from tests.blocks.common import add_blocks, all_blocks, blocks_url, note, notes, snapshot, stored_rows
from tests.helpers import activity, actions, assert_problem, create, read


async def test_new_blocks_answer_201_in_request_order_with_the_new_case_version(client, tenant):
    case = await create(client)
    response = await client.post(
        blocks_url(case),
        json={"blocks": [note("First", "one"), {"title": "Group", "block_type": "block_group"}, note("Third", "three")]},
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    items = response.json()["items"]
    assert [b["title"] for b in items] == ["First", "Group", "Third"]
    assert [b["position"] for b in items] == [1, 2, 3]
    first = items[0]
    assert set(first) == {
        "id", "number", "case_id", "title", "block_type", "position", "hidden", "parent_block_id",
        "created_at", "created_by", "updated_at", "elements",
    }  # fmt: skip
    assert first["case_id"] == case["id"]
    assert first["created_by"] == str(tenant.admin.id)
    assert first["hidden"] is False and first["parent_block_id"] is None
    assert items[1]["elements"] == []
    element = first["elements"][0]
    assert uuid.UUID(element["id"])
    assert element == {"id": element["id"], "number": element["number"], "position": 1, "content": "one", "note_type": "text", "color": None}
    assert await all_blocks(client, case) == items
    assert (await read(client, case))["version"] == 2


async def test_new_blocks_go_after_the_existing_ones(client):
    case = await create(client)
    first = await add_blocks(client, case, notes(3, "A"))
    second = await add_blocks(client, case, notes(2, "B"))
    assert [b["position"] for b in second] == [4, 5]
    listed = await all_blocks(client, case)
    assert [b["title"] for b in listed] == ["A 0", "A 1", "A 2", "B 0", "B 1"]
    assert [b["id"] for b in listed] == [b["id"] for b in first + second]


async def test_adding_blocks_bumps_the_version_once_and_logs_blocks_added_with_titles_and_types(client, tenant):
    case = await create(client)
    before = await activity(client, case)
    items = await add_blocks(
        client, case, [note("Notes"), {"title": "Evidence", "block_type": "block_group", "guid": "g"},
                       {"title": "Meta", "block_type": "metadata", "parent_block_guid": "g", "elements": [{"k": "v"}]}],
    )  # fmt: skip
    assert (await read(client, case))["version"] == 2
    entries = await activity(client, case)
    assert len(entries) == len(before) + 1
    entry = entries[-1]
    assert entry["action"] == "blocks_added"
    assert entry["actor_id"] == str(tenant.admin.id)
    assert entry["changes"] == {
        "blocks": [
            None,
            [
                {"id": items[0]["id"], "title": "Notes", "block_type": "note", "parent_block_id": None},
                {"id": items[1]["id"], "title": "Evidence", "block_type": "block_group", "parent_block_id": None},
                {"id": items[2]["id"], "title": "Meta", "block_type": "metadata", "parent_block_id": items[1]["id"]},
            ],
        ]
    }


async def test_a_block_nests_in_a_block_group_named_earlier_by_guid(client):
    case = await create(client)
    items = await add_blocks(
        client,
        case,
        [
            {"title": "Evidence", "block_type": "block_group", "guid": "evidence-group"},
            note("Inside", parent_block_guid="evidence-group"),
            note("Outside"),
            {"title": "Other group", "block_type": "block_group", "guid": "other"},
            note("Inside other", parent_block_guid="other", hidden=True),
        ],
    )
    group, inside, outside, other, inside_other = items
    assert inside["parent_block_id"] == group["id"]
    assert outside["parent_block_id"] is None
    assert inside_other["parent_block_id"] == other["id"]
    assert inside_other["hidden"] is True
    listed = await all_blocks(client, case)
    assert [(b["title"], b["parent_block_id"]) for b in listed] == [(b["title"], b["parent_block_id"]) for b in items]


async def test_a_block_nests_in_an_existing_block_group_by_parent_block_id(client):
    case = await create(client)
    (group,) = await add_blocks(client, case, [{"title": "Evidence", "block_type": "block_group"}])
    (child,) = await add_blocks(client, case, [note("Later note", parent_block_id=group["id"])])
    assert child["parent_block_id"] == group["id"]
    assert child["position"] == 2


async def test_parent_block_id_must_name_a_block_group_of_this_case(client, tenant):
    case = await create(client)
    other_case = await create(client)
    (plain,) = await add_blocks(client, case, [note("Plain")])
    (foreign_group,) = await add_blocks(client, other_case, [{"title": "G", "block_type": "block_group"}])
    before = await snapshot(client, tenant, case)
    for parent in (plain["id"], foreign_group["id"], str(uuid.uuid4())):
        response = await client.post(blocks_url(case), json={"blocks": [note("A"), note("B", parent_block_id=parent)]})
        assert_problem(response, 422, "blocks.1.parent_block_id")
    assert await snapshot(client, tenant, case) == before


async def test_html_is_sanitised_when_stored_and_served_sanitised(client):
    case = await create(client)
    dirty = (
        '<p onclick="steal()">Hello <b>analyst</b></p><script>alert(1)</script>'
        '<a href="javascript:alert(2)">click</a><img src="x.png" onerror="alert(3)">'
        '<a href="https://example.com/ioc">ioc</a><style>p{}</style>'
    )
    (block,) = await add_blocks(
        client, case, [{"title": "Report", "block_type": "html", "elements": [{"content": dirty, "note_type": "html"}]}]
    )
    stored = block["elements"][0]["content"]
    for banned in ("<script", "alert(1)", "onclick", "onerror", "javascript:", "<style"):
        assert banned not in stored, stored
    assert "<p>Hello <b>analyst</b></p>" in stored
    assert 'href="https://example.com/ioc"' in stored
    assert '<img src="x.png">' in stored
    assert block["elements"][0]["note_type"] == "html"
    assert (await all_blocks(client, case))[0]["elements"][0]["content"] == stored


async def test_markdown_notes_are_stored_as_given(client):
    case = await create(client)
    content = "# Triage\n\n- IP `10.0.0.1` <b>seen</b> twice\n"
    (block,) = await add_blocks(client, case, [note("Notes", content)])
    assert block["elements"][0]["content"] == content


async def test_note_type_may_be_left_out_and_then_follows_the_block(client):
    case = await create(client)
    items = await add_blocks(
        client,
        case,
        [
            {"title": "N", "block_type": "note", "elements": [{"content": "plain"}]},
            {"title": "H", "block_type": "html", "elements": [{"content": "<i>x</i>"}]},
        ],
    )
    assert items[0]["elements"][0]["note_type"] == "text"
    assert items[1]["elements"][0]["note_type"] == "html"


async def test_note_type_must_match_the_block_type(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    wrong = [
        {"title": "N", "block_type": "note", "elements": [{"content": "x", "note_type": "html"}]},
        {"title": "H", "block_type": "html", "elements": [{"content": "x", "note_type": "text"}]},
    ]
    for i, block in enumerate(wrong):
        response = await client.post(blocks_url(case), json={"blocks": [note("ok"), block] if i else [block]})
        assert_problem(response, 422, f"blocks.{i}.elements.0.note_type")
    response = await client.post(
        blocks_url(case), json={"blocks": [{"title": "N", "block_type": "note", "elements": [{"content": "x", "note_type": "rich"}]}]}
    )
    assert_problem(response, 422, "blocks.0.elements.0.note_type")
    assert await snapshot(client, tenant, case) == before


async def test_every_note_color_of_the_palette_is_accepted_and_others_refused(client, tenant):
    case = await create(client)
    palette = ["white", "gold", "magenta", "green", "blue", "red", "mint", "indigo"]
    elements = [{"content": c, "note_type": "text", "color": c} for c in palette]
    (block,) = await add_blocks(client, case, [{"title": "Colors", "block_type": "note", "elements": elements}])
    assert [e["color"] for e in block["elements"]] == palette
    assert [e["position"] for e in block["elements"]] == list(range(1, 9))
    before = await snapshot(client, tenant, case)
    bad = {"title": "C", "block_type": "note", "elements": [{"content": "x", "color": "purple"}]}
    assert_problem(await client.post(blocks_url(case), json={"blocks": [bad]}), 422, "blocks.0.elements.0.color")
    assert await snapshot(client, tenant, case) == before


async def test_note_elements_refuse_unknown_and_missing_fields(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    extra = {"title": "N", "block_type": "note", "elements": [{"content": "x", "filename": "a.txt"}]}
    assert_problem(await client.post(blocks_url(case), json={"blocks": [extra]}), 422, "blocks.0.elements.0.filename")
    missing = {"title": "N", "block_type": "note", "elements": [{"note_type": "text"}]}
    assert_problem(await client.post(blocks_url(case), json={"blocks": [missing]}), 422, "blocks.0.elements.0.content")
    assert await snapshot(client, tenant, case) == before


async def test_other_block_types_take_flat_objects_of_strings_numbers_and_booleans(client):
    case = await create(client)
    data = {"source": "EDR", "count": 3, "score": 0.75, "confirmed": True, "note": ""}
    blocks = [
        {"title": t, "block_type": t, "elements": [data, {"other": "x"}]}
        for t in ("linked_cases", "metadata", "closure_conditions", "case_action")
    ]
    items = await add_blocks(client, case, blocks)
    for block in items:
        assert [e["data"] for e in block["elements"]] == [data, {"other": "x"}]
        assert set(block["elements"][0]) == {"id", "number", "position", "data"}
    assert await all_blocks(client, case) == items


async def test_other_block_types_refuse_nested_values_and_nulls(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    for value in ({"a": 1}, [1, 2], None):
        block = {"title": "M", "block_type": "metadata", "elements": [{"ok": "x", "bad": value}]}
        response = await client.post(blocks_url(case), json={"blocks": [block]})
        assert_problem(response, 422, "blocks.0.elements.0.bad", nested=True)
    assert await snapshot(client, tenant, case) == before


async def test_a_block_group_has_no_elements(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    group = {"title": "G", "block_type": "block_group", "elements": [{"content": "x"}]}
    assert_problem(await client.post(blocks_url(case), json={"blocks": [group]}), 422, "blocks.0.elements")
    assert await snapshot(client, tenant, case) == before


async def test_elements_may_be_left_out_or_empty(client):
    case = await create(client)
    items = await add_blocks(
        client, case, [{"title": "Empty note", "block_type": "note"}, {"title": "Empty meta", "block_type": "metadata", "elements": []}]
    )
    assert [b["elements"] for b in items] == [[], []]


async def test_unknown_block_types_and_fields_and_nul_are_refused(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    cases = [
        ({"title": "X", "block_type": "chart"}, "blocks.0.block_type"),
        ({"title": "X", "block_type": "note", "colour": "red"}, "blocks.0.colour"),
        ({"title": "X\x00", "block_type": "note"}, "blocks.0.title"),
        ({"title": "X", "block_type": "note", "elements": [{"content": "a\x00b"}]}, "blocks.0.elements"),
        ({"title": "X", "block_type": "metadata", "elements": [{"k\x00": "v"}]}, "blocks.0.elements"),
        ({"block_type": "note"}, "blocks.0.title"),
        ({"title": "   ", "block_type": "note"}, "blocks.0.title"),
        ({"title": "X", "block_type": "note", "hidden": "maybe"}, "blocks.0.hidden"),
    ]
    for block, field in cases:
        response = await client.post(blocks_url(case), json={"blocks": [block]})
        assert_problem(response, 422, field, nested=True)
    assert_problem(await client.post(blocks_url(case), json={"blocks": [note()], "extra": 1}), 422, "extra")
    assert await snapshot(client, tenant, case) == before
    assert stored_rows(tenant)["blocks"] == 0


async def test_get_one_block_with_its_elements(client):
    case = await create(client)
    items = await add_blocks(client, case, [note("A", "one"), note("B", "two")])
    response = await client.get(f"{blocks_url(case)}/{items[1]['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == items[1]


async def test_an_unknown_or_malformed_block_id_or_a_block_of_another_case_is_404(client):
    case = await create(client)
    other_case = await create(client)
    (foreign,) = await add_blocks(client, other_case, [note()])
    for block_id in (str(uuid.uuid4()), "not-a-uuid", foreign["id"]):
        assert_problem(await client.get(f"{blocks_url(case)}/{block_id}"), 404)
        assert_problem(await client.patch(f"{blocks_url(case)}/{block_id}", json={"title": "x"}), 404)
        assert_problem(await client.delete(f"{blocks_url(case)}/{block_id}"), 404)
    assert "blocks_added" not in await actions(client, case)


async def test_blocks_of_a_case_answer_by_case_key_too(client):
    case = await create(client)
    await add_blocks(client, case, [note()])
    response = await client.get(f"/cases/{case['key']}/blocks")
    assert response.status_code == 200
    assert [b["title"] for b in response.json()["items"]] == ["Notes"]


async def test_data_values_that_json_or_the_databases_cannot_keep_are_refused(client, tenant):
    case = await create(client)
    before = await snapshot(client, tenant, case)
    for raw in ("NaN", "Infinity", str(2**64)):
        body = '{"blocks": [{"title": "M", "block_type": "metadata", "elements": [{"x": ' + raw + "}]}]}"
        response = await client.post(blocks_url(case), content=body, headers={"content-type": "application/json"})
        assert_problem(response, 422, "blocks.0.elements.0.x")
    assert await snapshot(client, tenant, case) == before
    (block,) = await add_blocks(
        client, case, [{"title": "M", "block_type": "metadata", "elements": [{"big": 2**63 - 1, "small": -(2**63)}]}]
    )
    assert block["elements"][0]["data"] == {"big": 2**63 - 1, "small": -(2**63)}
    assert (await all_blocks(client, case))[0]["elements"][0]["data"] == {"big": 2**63 - 1, "small": -(2**63)}
