async def test_created_case_is_listed(client):
    created = await client.post("/cases", json={"title": "Phishing report", "tags": ["phishing"]})
    assert created.status_code == 201, created.text
    listed = await client.get("/cases")
    assert [c["id"] for c in listed.json()["items"]] == [created.json()["id"]]
