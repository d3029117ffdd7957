"""GET /cases?q=: words in a case's title and description, or in one of its comments, through the index
(casework.cases.text_search), which follows every change; on both databases."""

import re
from collections import Counter
from typing import Any

import httpx
import pytest

from casework.cases import text_search
from casework.seed import SeedOptions, seed
from tests.helpers import api_client, assert_problem, bearer, create, patch


async def found(client: httpx.AsyncClient, q: str, **params: Any) -> set[str]:
    """Keys of every case the search lists (one page of up to 500)."""
    response = await client.get("/cases", params={"q": q, "limit": 500, **params})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["next_cursor"] is None
    keys = [c["key"] for c in page["items"]]
    assert len(keys) == len(set(keys)), f"a case listed twice: {keys}"
    return set(keys)


async def comment(client: httpx.AsyncClient, case: dict[str, Any], body: str) -> dict[str, Any]:
    response = await client.post(f"/cases/{case['id']}/comments", json={"body": body})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(params=["look up each match", "gather the matches, walk the list", "probe each case of the list"])
def strategy(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite, few matches are looked up one by one; many make the list test each case in turn, against all the
    matches gathered first or, when most cases match, by probing the index (text_search.LOOKUP_AT_MOST and PROBE_FROM
    decide). All must find the same cases. PostgreSQL's planner chooses for itself."""
    looking_up = request.param == "look up each match"
    monkeypatch.setattr(text_search, "LOOKUP_AT_MOST", 1_000_000 if looking_up else 1)
    monkeypatch.setattr(text_search, "PROBE_FROM", 0 if request.param == "probe each case of the list" else 2)


async def test_every_word_must_be_in_the_title_and_description(client, strategy):
    both = await create(client, title="Phishing email from the CEO", description="Wire transfer request, urgent")
    title_only = await create(client, title="Phishing wave", description="Many users reported it")
    await create(client, title="Lost badge", description="Reported at the front desk")
    assert await found(client, "phishing") == {both["key"], title_only["key"]}
    # Words from the title and from the description together.
    assert await found(client, "phishing wire") == {both["key"]}
    assert await found(client, "transfer CEO urgent") == {both["key"]}
    assert await found(client, "phishing badge") == set()
    # Whole words: neither a part of one nor a longer one.
    assert await found(client, "phish") == set()
    assert await found(client, "emails") == set()


async def test_words_match_in_any_case_and_without_accents(client, strategy):
    accented = await create(client, title="Ärger in der ÉCOLE", description="Überweisung für Noël")
    plain = await create(client, title="Ecole closed", description="noel party")
    for q in ("ärger", "ÄRGER", "arger", "überweisung", "UBERWEISUNG"):
        assert await found(client, q) == {accented["key"]}, q
    for q in ("école", "ECOLE", "ecole", "Noël", "noel"):
        assert await found(client, q) == {accented["key"], plain["key"]}, q


async def test_punctuation_only_separates_words(client, strategy):
    host = await create(client, title="Beacon from ws-0042.corp.example.com", description="user_name jdoe@example.org")
    await create(client, title="Beacon elsewhere", description="nothing else")
    for q in ("ws-0042.corp.example.com", "corp", "0042", "example.com", "jdoe", "example.org", "user_name", "name"):
        assert await found(client, q) == {host["key"]}, q


async def test_with_q_match_any_one_of_the_words_is_enough(client, strategy):
    phishing = await create(client, title="Phishing wave", description="Many users reported it")
    badge = await create(client, title="Lost badge", description="Reported at the front desk")
    await create(client, title="Printer jam")
    commented = await create(client, title="Suspicious login")
    await comment(client, commented, "ransomware note found")
    assert await found(client, "phishing badge ransomware", q_match="any") == {
        phishing["key"], badge["key"], commented["key"]
    }
    assert await found(client, "phishing badge", q_match="all") == set()
    # Words still read as words: an operator in q is one more word to match, never syntax.
    assert await found(client, "phishing OR & | !", q_match="any") == {phishing["key"]}


async def test_with_q_comments_false_only_the_title_and_description_match(client, strategy):
    titled = await create(client, title="Ransomware on a laptop")
    commented = await create(client, title="Suspicious login")
    await comment(client, commented, "ransomware note found")
    assert await found(client, "ransomware") == {titled["key"], commented["key"]}
    assert await found(client, "ransomware", q_comments="false") == {titled["key"]}
    assert await found(client, "ransomware note", q_comments="false", q_match="any") == {titled["key"]}
    assert await found(client, "note found", q_comments="false") == set()
    page = await client.get("/cases", params={"q": "ransomware", "q_comments": "false", "count": "exact", "status_counts": "true"})
    assert (page.json()["total"], page.json()["status_counts"]["open"]) == (1, 1)


@pytest.mark.parametrize(
    "q", ['"phishing', 'phishing"', "phishing AND (", "phishing OR", "NOT phishing", "phishing*", "-phishing",
          "title:phishing", "phishing NEAR(", "phishing & !", "'phishing'", "phishing\\", "(phishing)", "phishing:*"],
)
async def test_query_syntax_is_never_interpreted(client, q):
    listed = await create(client, title="Phishing wave", description="and or not near title")
    await create(client, title="Lost badge")
    # Only the words count: "AND", "OR", "NOT", "NEAR" and "title" are words like any other.
    expected = {listed["key"]}
    assert await found(client, q) == expected


@pytest.mark.parametrize("q", ["*", '"', "()", "%", "_", "-", "'", "\\", " ", ":*", "&|!", "…"])
async def test_a_q_without_letters_or_digits_is_refused_naming_q(client, q):
    await create(client, title="Phishing wave")
    assert_problem(await client.get("/cases", params={"q": q}), 422, "q")


async def test_a_case_matches_by_one_of_its_comments(client, strategy):
    case = await create(client, title="Suspicious login", description="From a new country")
    other = await create(client, title="Lost badge")
    await comment(client, case, "The user confirmed the ransomware note")
    await comment(client, case, "Contained: laptop isolated")
    assert await found(client, "ransomware") == {case["key"]}
    assert await found(client, "ransomware note") == {case["key"]}
    assert await found(client, "laptop") == {case["key"]}
    # All words in one comment, or all in the title and description: not spread over several.
    assert await found(client, "ransomware laptop") == set()
    assert await found(client, "suspicious ransomware") == set()
    await comment(client, other, "Badge found, no ransomware involved")
    assert await found(client, "ransomware") == {case["key"], other["key"]}


async def test_the_index_follows_case_edits_and_archiving(client, strategy):
    case = await create(client, title="Phishing email", description="Wire transfer")
    await patch(client, case, {"title": "Malware on a laptop"})
    assert await found(client, "phishing") == set()
    assert await found(client, "malware wire") == {case["key"]}
    await patch(client, case, {"description": "Dropper pins the CPU"})
    assert await found(client, "wire") == set()
    assert await found(client, "dropper laptop") == {case["key"]}
    # Changes to other fields keep the case findable.
    await patch(client, case, {"priority": "P1", "tags": ["malware"]})
    assert await found(client, "dropper") == {case["key"]}
    assert (await client.delete(f"/cases/{case['id']}")).status_code == 204
    assert await found(client, "dropper") == set()
    assert await found(client, "dropper", archived="include") == {case["key"]}
    assert (await client.post(f"/cases/{case['id']}/restore")).status_code == 200
    assert await found(client, "dropper") == {case["key"]}


async def test_the_index_follows_comment_edits_and_deletions(client, strategy):
    case = await create(client, title="Suspicious login")
    first = await comment(client, case, "Beacon to a known ransomware host")
    await comment(client, case, "Escalated to the vendor")
    edited = await client.patch(f"/cases/{case['id']}/comments/{first['id']}", json={"body": "False positive: a printer"})
    assert edited.status_code == 200, edited.text
    assert await found(client, "ransomware") == set()
    assert await found(client, "printer") == {case["key"]}
    assert (await client.delete(f"/cases/{case['id']}/comments/{first['id']}")).status_code == 204
    assert await found(client, "printer") == set()
    assert await found(client, "vendor") == {case["key"]}


async def test_q_keeps_every_other_filter_sort_and_cursor(client, strategy):
    matching = []
    for n, priority in enumerate(["P3", "P1", "P5", "P2", "P1", "P4", "P3"]):
        case = await create(client, title=f"Beacon {n}", description="outbound traffic", priority=priority)
        matching.append(case)
        await create(client, title=f"Quiet {n}", description="inbound traffic", priority=priority)
    # One more matching by a comment only, and one matching twice (text and comments): listed once each.
    by_comment = await create(client, title="Quiet again", priority="P1")
    await comment(client, by_comment, "An outbound beacon after all")
    await comment(client, matching[0], "beacon outbound, again")
    await comment(client, matching[0], "still an outbound beacon")
    matching.append(by_comment)
    keys = {c["key"] for c in matching}
    assert await found(client, "outbound beacon") == keys
    assert await found(client, "outbound beacon", priority="P1") == {c["key"] for c in matching if c["priority"] == "P1"}
    response = await client.get("/cases", params={"q": "outbound beacon", "count": "true", "limit": 2})
    assert response.json()["total"] == len(matching)
    for sort, order in (("updated", "desc"), ("created", "asc"), ("priority", "asc"), ("number", "desc")):
        params = {"q": "outbound beacon", "sort": sort, "order": order, "limit": 3}
        whole = (await client.get("/cases", params={**params, "limit": 500})).json()["items"]
        paged, cursor = [], None
        while True:
            page = (await client.get("/cases", params={**params, **({"cursor": cursor} if cursor else {})})).json()
            paged.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert [c["key"] for c in paged] == [c["key"] for c in whole], sort
        assert {c["key"] for c in whole} == keys


async def test_q_never_finds_another_workspaces_cases(client, other_client, strategy):
    theirs = await create(other_client, title="Ransomware outbreak")
    await comment(other_client, theirs, "ransomware note found")
    mine = await create(client, title="Lost badge")
    assert await found(client, "ransomware", archived="include") == set()
    await comment(client, mine, "no ransomware here")
    assert await found(client, "ransomware") == {mine["key"]}


async def test_a_seeded_workspace_is_fully_indexed_and_stays_indexed(app, db):
    result = seed(db, SeedOptions(cases=150, workspace_name="Seeded", comments_per_case_max=20, alerts=0, batch=64))
    async with api_client(app, bearer(result.token)) as client:
        documents = {}
        for case in await every(client, "/cases"):
            comments = await every(client, f"/cases/{case['key']}/comments")
            documents[case["key"]] = [words_of(f"{case['title']} {case['description']}"), *(words_of(c["body"]) for c in comments)]
        cases_with = Counter(word for texts in documents.values() for word in set().union(*texts))
        # A word of the seeded text in some cases but not most, and the rarest host name.
        common = next(word for word, n in cases_with.most_common() if n < len(documents) // 2)
        host = min(word for word in cases_with if word.startswith("host"))
        for word in (common, host):
            assert await found(client, word) == {key for key, texts in documents.items() if any(word in t for t in texts)}
        # The seed put the index's triggers back: later writes are indexed.
        case = await create(client, title="Seeded then edited")
        await comment(client, case, "xylophone")
        assert await found(client, "xylophone") == {case["key"]}


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


async def every(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get(path, params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items
