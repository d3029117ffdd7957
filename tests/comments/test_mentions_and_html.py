"""Mentions (<@user-ID>) and the sanitised HTML rendering of comment bodies."""

import uuid
from html.parser import HTMLParser

import pytest

from tests.comments.support import comment, comments
from tests.helpers import assert_problem, create


def mention(user_id: object) -> str:
    return f"<@user-{user_id}>"


async def test_mentions_of_workspace_users_are_recorded_in_order_each_once(client, tenant):
    alice, bob = tenant.add_member("agent"), tenant.add_member("viewer")
    case = await create(client)
    body = f"{mention(bob.id)} and {mention(alice.id)}, see this. Again {mention(bob.id)}."
    note = await comment(client, case, body)
    assert note["mentions"] == [str(bob.id), str(alice.id)]
    assert note["body"] == body
    fetched = await client.get(f"/cases/{case['id']}/comments/{note['id']}")
    assert fetched.json()["mentions"] == [str(bob.id), str(alice.id)]
    assert (await comments(client, case))[0]["mentions"] == [str(bob.id), str(alice.id)]


async def test_a_mention_written_in_upper_case_names_the_same_user(client, tenant):
    alice = tenant.add_member("agent")
    case = await create(client)
    body = f"hey {mention(str(alice.id).upper())}"
    note = await comment(client, case, body)
    assert note["mentions"] == [str(alice.id)]
    assert note["body"] == body


async def test_unknown_ids_and_other_workspaces_users_stay_plain_text(client, tenant, other):
    alice = tenant.add_member("agent")
    stranger = other.add_member("agent")
    case = await create(client)
    body = (
        f"{mention(uuid.uuid4())} {mention(stranger.id)} {mention(other.admin.id)} "
        f"<@user-not-a-uuid> <@{alice.id}> @{alice.id} {mention(alice.id)}"
    )
    note = await comment(client, case, body)
    assert note["mentions"] == [str(alice.id)]
    assert note["body"] == body


async def test_a_deactivated_user_is_not_recorded_as_mentioned(client, tenant):
    gone = tenant.add_member("agent")
    assert (await client.patch(f"/users/{gone.id}", json={"active": False})).status_code == 200
    case = await create(client)
    assert (await comment(client, case, f"ping {mention(gone.id)}"))["mentions"] == []


async def test_editing_a_comment_recomputes_its_mentions(client, tenant):
    alice, bob = tenant.add_member("agent"), tenant.add_member("agent")
    case = await create(client)
    note = await comment(client, case, f"cc {mention(alice.id)}")
    response = await client.patch(
        f"/cases/{case['id']}/comments/{note['id']}", json={"body": f"cc {mention(bob.id)} instead"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["mentions"] == [str(bob.id)]
    response = await client.patch(f"/cases/{case['id']}/comments/{note['id']}", json={"body": "nobody"})
    assert response.json()["mentions"] == []
    assert (await comments(client, case))[0]["mentions"] == []


async def _number(client, user_id) -> int:
    return (await client.get(f"/users/{user_id}")).json()["number"]


async def test_a_mention_by_integer_handle_names_the_user_like_one_by_id(client, tenant):
    alice, bob = tenant.add_member("agent"), tenant.add_member("agent")
    case = await create(client)
    handle = await _number(client, alice.id)
    body = f"{mention(handle)} and {mention(bob.id)}, again {mention(alice.id)}"
    note = await comment(client, case, body)
    assert note["mentions"] == [str(alice.id), str(bob.id)]
    assert note["unresolved_mentions"] == []
    assert note["body"] == body


async def test_mentions_naming_no_user_are_listed_in_the_answer_and_on_reads(client, tenant, other):
    alice = tenant.add_member("agent")
    gone = tenant.add_member("agent")
    assert (await client.patch(f"/users/{gone.id}", json={"active": False})).status_code == 200
    stranger = other.add_member("agent")
    case = await create(client)
    missing = uuid.uuid4()
    body = f"{mention(alice.id)} {mention(missing)} {mention(999999999)} {mention(gone.id)} {mention(stranger.id)}"
    note = await comment(client, case, body)
    unresolved = [str(missing), "999999999", str(gone.id), str(stranger.id)]
    assert note["mentions"] == [str(alice.id)]
    assert note["unresolved_mentions"] == unresolved
    assert (await client.get(f"/cases/{case['id']}/comments/{note['id']}")).json()["unresolved_mentions"] == unresolved
    assert (await comments(client, case))[0]["unresolved_mentions"] == unresolved
    edited = await client.patch(f"/cases/{case['id']}/comments/{note['id']}", json={"body": f"{mention(alice.id)}"})
    assert edited.json()["unresolved_mentions"] == []


HOSTILE = (
    "# Title\n\n**bold** and [a link](https://example.com/x)\n\n"
    "<script>alert('s')</script>\n\n"
    '<img src="https://example.com/i.png" onerror="alert(1)">\n\n'
    "[click](javascript:alert(2)) "
    '<a href="javascript:alert(3)" onclick="alert(4)">raw</a> '
    '<a href="JaVaScRiPt:alert(5)">mixed</a>\n\n'
    '<div onmouseover="alert(6)">hover</div>\n\n'
    "<style>body{display:none}</style>\n\n"
    '<iframe src="https://evil.example"></iframe>\n'
)


class Elements(HTMLParser):
    """Every element of an HTML fragment with its attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_safe(html: str) -> None:
    parsed = Elements(html)
    tags = {tag for tag, _ in parsed.elements}
    assert not tags & {"script", "style", "iframe", "object", "embed"}, html
    for tag, attrs in parsed.elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), (tag, attrs)
    # The scripts' own text is gone too, not only their tags.
    assert "alert('s')" not in "".join(parsed.text)
    assert "display:none" not in "".join(parsed.text)


async def test_render_html_gives_sanitised_html_and_keeps_the_raw_markdown(client):
    case = await create(client)
    note = await comment(client, case, HOSTILE)
    assert note["body"] == HOSTILE

    response = await client.get(f"/cases/{case['id']}/comments/{note['id']}", params={"render": "html"})
    assert response.status_code == 200, response.text
    rendered = response.json()
    assert rendered["body"] == HOSTILE
    html = rendered["body_html"]
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com/x"' in html
    assert 'src="https://example.com/i.png"' in html
    assert "hover" in html
    assert_safe(html)
    assert {k: v for k, v in rendered.items() if k != "body_html"} == note


async def test_render_html_on_the_list_adds_body_html_to_every_item(client, tenant):
    alice = tenant.add_member("agent")
    case = await create(client)
    await comment(client, case, "*one*")
    await comment(client, case, f"{HOSTILE}\n{mention(alice.id)}")
    plain = await comments(client, case)
    assert all("body_html" not in c for c in plain)
    rendered = await comments(client, case, render="html")
    assert rendered[0]["body_html"].strip() == "<p><em>one</em></p>"
    assert_safe(rendered[1]["body_html"])
    # A mention is shown as its text, escaped: never read as a tag.
    assert f"&lt;@user-{alice.id}&gt;" in rendered[1]["body_html"]
    assert [{k: v for k, v in c.items() if k != "body_html"} for c in rendered] == plain


@pytest.mark.parametrize("render", ["markdown", "HTML", ""])
async def test_an_unknown_render_is_refused_naming_it(client, render):
    case = await create(client)
    note = await comment(client, case)
    assert_problem(await client.get(f"/cases/{case['id']}/comments/{note['id']}", params={"render": render}), 422, "render")
    assert_problem(await client.get(f"/cases/{case['id']}/comments", params={"render": render}), 422, "render")


async def test_the_openapi_document_describes_render_and_body_html(client):
    document = (await client.get("http://test/openapi.json")).json()
    for path in ("/api/v1/cases/{ref}/comments", "/api/v1/cases/{ref}/comments/{comment_id}"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        assert "html" in parameters["render"]["description"]
    read_schema = document["components"]["schemas"]["CommentRead"]
    assert "body_html" in read_schema["properties"]
    assert "render=html" in read_schema["properties"]["body_html"]["description"]
