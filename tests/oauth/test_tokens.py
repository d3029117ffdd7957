"""POST /api/v1/oauth/token (RFC 6749 client credentials) and its access tokens as Bearer tokens of the native API."""

import base64
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from casework.app import create_app
from casework.db.base import utcnow
from casework.oauth import keys
from casework.oauth.models import OAuthSigningKey
from casework.oauth.tokens import issue_access_token
from casework.settings import OAUTH_TOKEN_TTL_MAX
from tests.conftest import fresh_database, make_tenant
from tests.helpers import api_client, assert_unauthenticated, bearer
from tests.oauth.support import FORM, access_token, assert_oauth_error, basic, key_id, new_client, request_token

TOKEN = "/api/v1/oauth/token"


async def test_the_answer_is_rfc6749s_and_the_token_a_signed_jwt_with_its_claims(client, anonymous, tenant, settings):
    created = await new_client(client)
    response = await request_token(anonymous, created)
    assert response.status_code == 200, response.text
    assert (response.headers["cache-control"], response.headers["pragma"]) == ("no-store", "no-cache")
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", settings.oauth_token_ttl, "cases:read cases:write")

    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert set(claims) == {"iss", "sub", "aud", "exp", "iat", "jti", "scope", "workspace"}
    assert (claims["sub"], claims["scope"], claims["workspace"]) == (created["client_id"], body["scope"], str(tenant.workspace_id))
    assert claims["exp"] - claims["iat"] == settings.oauth_token_ttl
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "HS256" and header["kid"]
    assert (await request_token(anonymous, created)).json()["access_token"] != body["access_token"]  # a jti of its own


async def test_an_access_token_works_as_a_bearer_token_on_the_native_api(client, anonymous, tenant):
    created = await new_client(client)
    headers = bearer(await access_token(anonymous, created))
    made = await anonymous.post("/api/v1/cases", json={"title": "From Talkdesk"}, headers=headers)
    assert made.status_code == 201, made.text
    listed = await anonymous.get("/api/v1/cases", headers=headers)
    assert [c["title"] for c in listed.json()["items"]] == ["From Talkdesk"]
    me = (await anonymous.get("/api/v1/me", headers=headers)).json()
    assert (me["token_id"], me["oauth_client_id"], me["workspace_id"]) == (None, created["id"], str(tenant.workspace_id))
    assert me["scopes"] == ["cases:read", "cases:write"]
    assert (await client.get("/cases")).json()["items"][0]["id"] == made.json()["id"]


async def test_client_credentials_in_the_form_body_are_accepted(client, anonymous):
    created = await new_client(client)
    form = {"grant_type": "client_credentials", "client_id": created["client_id"], "client_secret": created["client_secret"]}
    response = await anonymous.post(TOKEN, data=form)
    assert response.status_code == 200, response.text
    assert (await anonymous.get("/api/v1/me", headers=bearer(response.json()["access_token"]))).status_code == 200


async def test_basic_credentials_are_form_decoded_before_use(client, anonymous):
    created = await new_client(client)
    # RFC 6749 §2.3.1: the id and secret are form-encoded before the Basic encoding, so %5F stands for '_'.
    encoded = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".replace("_", "%5F").encode()).decode()
    response = await anonymous.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {encoded}"})
    assert response.status_code == 200, response.text


async def test_a_narrower_scope_gives_a_token_with_only_that_scope(client, anonymous):
    created = await new_client(client)
    response = await request_token(anonymous, created, scope="cases:read")
    assert response.json()["scope"] == "cases:read"
    headers = bearer(response.json()["access_token"])
    assert (await anonymous.get("/api/v1/cases", headers=headers)).status_code == 200
    refused = await anonymous.post("/api/v1/cases", json={"title": "No"}, headers=headers)
    assert refused.status_code == 403 and "cases:write" in refused.json()["detail"]
    assert (await client.get("/cases")).json()["items"] == []


@pytest.mark.parametrize("scope", ["admin", "cases:read admin", "cases:delete", "cases:read  cases:write"])
async def test_a_scope_the_client_lacks_or_malformed_is_invalid_scope(client, anonymous, scope):
    created = await new_client(client)
    assert_oauth_error(await request_token(anonymous, created, scope=scope), 400, "invalid_scope")


async def test_an_empty_scope_parameter_counts_as_absent(client, anonymous):
    created = await new_client(client, ["cases:read"])
    assert (await request_token(anonymous, created, scope="")).json()["scope"] == "cases:read"


async def test_a_wrong_secret_or_unknown_client_is_invalid_client_with_a_basic_challenge(client, anonymous):
    created = await new_client(client)
    wrong = {**created, "client_secret": created["client_secret"] + "x"}
    assert_oauth_error(await request_token(anonymous, wrong), 401, "invalid_client")
    unknown = {**created, "client_id": "cwc_nobody"}
    assert_oauth_error(await request_token(anonymous, unknown), 401, "invalid_client")
    form = {"grant_type": "client_credentials"}
    assert_oauth_error(await anonymous.post(TOKEN, data=form), 401, "invalid_client")
    assert_oauth_error(await anonymous.post(TOKEN, data=form, headers={"Authorization": "Basic !!"}), 401, "invalid_client")
    assert_oauth_error(await anonymous.post(TOKEN, data=form, headers=bearer("cw_x")), 401, "invalid_client")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("scope=cases%3Aread", "invalid_request"),
        ("grant_type=password&username=a&password=b", "unsupported_grant_type"),
        ("grant_type=client_credentials&grant_type=client_credentials", "invalid_request"),
        ("grant_type=client_credentials&scope=cases%3Aread&scope=cases%3Aread", "invalid_request"),
        ("grant_type=client_credentials&client_secret=both-ways", "invalid_request"),
        ("grant_type=client_credentials&client_id=someone-else", "invalid_request"),
        ("grant_type=client_credentials&scope=%FF", "invalid_request"),
    ],
)
async def test_malformed_requests_get_their_rfc6749_error(client, anonymous, content, error):
    created = await new_client(client)
    headers = basic(created["client_id"], created["client_secret"]) | FORM
    assert_oauth_error(await anonymous.post(TOKEN, content=content, headers=headers), 400, error)


async def test_a_json_body_is_an_invalid_request(client, anonymous):
    created = await new_client(client)
    headers = basic(created["client_id"], created["client_secret"])
    assert_oauth_error(await anonymous.post(TOKEN, json={"grant_type": "client_credentials"}, headers=headers), 400, "invalid_request")


async def test_error_descriptions_stay_ascii_in_french(anonymous):
    form = {"grant_type": "client_credentials"}
    response = await anonymous.post(TOKEN, data=form, headers={"Accept-Language": "fr"})
    body = assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["content-language"] == "fr"
    assert body["error_description"].startswith("l'authentification du client")


async def test_a_revoked_clients_tokens_are_refused_at_once_and_it_gets_no_new_one(client, anonymous):
    created = await new_client(client)
    headers = bearer(await access_token(anonymous, created))
    assert (await anonymous.get("/api/v1/cases", headers=headers)).status_code == 200
    assert (await client.delete(f"/oauth-clients/{created['id']}")).status_code == 200
    body = assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=headers))
    assert "revoked" in body["detail"]
    assert_oauth_error(await request_token(anonymous, created), 401, "invalid_client")


async def test_a_deactivated_users_client_tokens_are_refused(client, anonymous, tenant):
    agent = tenant.add_member("agent")
    created = await new_client(client, user_id=str(agent.id))
    headers = bearer(await access_token(anonymous, created))
    assert (await client.patch(f"/users/{agent.id}", json={"active": False})).status_code == 200
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=headers))
    assert_oauth_error(await request_token(anonymous, created), 401, "invalid_client")


async def test_an_expired_token_is_refused(client, anonymous, db):
    created = await new_client(client)
    two_hours_ago = utcnow() - timedelta(hours=2)
    issued = db.run_sync(issue_access_token, created["client_id"], created["client_secret"], None, 3600, two_hours_ago)
    body = assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(issued.access_token)))
    assert "expired" in body["detail"]


def _tampered(token: str, **claims: object) -> str:
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    changed = base64.urlsafe_b64encode(json.dumps(decoded | claims).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


async def test_a_tampered_or_unsigned_token_is_refused(client, anonymous, tenant):
    created = await new_client(client, ["cases:read"])
    token = await access_token(anonymous, created)
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(_tampered(token, scope="cases:read cases:write"))))
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))))
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": key_id(token)})
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(unsigned)))
    assert (await anonymous.get("/api/v1/cases", headers=bearer(token))).status_code == 200


async def test_after_key_rotation_old_tokens_still_work_and_new_ones_carry_the_new_kid(client, anonymous, db):
    created = await new_client(client)
    old = await access_token(anonymous, created)
    rotation = db.run_sync(keys.rotate)
    new = await access_token(anonymous, created)
    assert key_id(new) == str(rotation.key_id) != key_id(old)
    for token in (old, new):
        assert (await anonymous.get("/api/v1/cases", headers=bearer(token))).status_code == 200


async def test_a_retired_key_verifies_no_token_dated_after_its_retirement(client, anonymous, db):
    created = await new_client(client)
    token = await access_token(anonymous, created)
    retired_at = utcnow() - timedelta(seconds=30)
    db.run_sync(keys.rotate, retired_at)
    secret = db.run_sync(lambda s: s.scalar(select(OAuthSigningKey.secret).where(OAuthSigningKey.id == uuid.UUID(key_id(token)))))
    claims = jwt.decode(token, options={"verify_signature": False})

    def signed_at(seconds_after_retirement: int) -> str:
        iat = int(retired_at.timestamp()) + seconds_after_retirement
        dated = claims | {"iat": iat, "exp": iat + 3600}
        return jwt.encode(dated, secret, algorithm="HS256", headers={"kid": key_id(token)})

    assert (await anonymous.get("/api/v1/cases", headers=bearer(signed_at(-10)))).status_code == 200
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(signed_at(10))))


async def test_another_process_verifies_the_tokens_and_signs_with_the_same_key(client, anonymous, db, settings):
    created = await new_client(client)
    token = await access_token(anonymous, created)
    restarted = create_app(settings, db)  # a process of its own: nothing cached
    async with api_client(restarted) as other:
        assert (await other.get("/cases", headers=bearer(token))).status_code == 200
        response = await other.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(created["client_id"], created["client_secret"]))
        assert key_id(response.json()["access_token"]) == key_id(token)


async def test_rotation_deletes_keys_too_old_to_verify_anything_and_their_tokens_are_refused(backend, tmp_path, settings):
    with fresh_database(backend, tmp_path) as db:
        tenant = make_tenant(db)
        app = create_app(settings, db)
        async with api_client(app, tenant.admin.headers) as client, api_client(app) as anonymous:
            created = await new_client(client)
            response = await anonymous.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(created["client_id"], created["client_secret"]))
            token = response.json()["access_token"]
            assert (await anonymous.get("/cases", headers=bearer(token))).status_code == 200  # its key is now cached

            first = db.run_sync(keys.rotate)
            assert (first.retired, first.deleted) == (1, 0)
            later = utcnow() + timedelta(seconds=OAUTH_TOKEN_TTL_MAX + 60)
            rotation = db.run_sync(keys.rotate, later)
            assert (rotation.retired, rotation.deleted) == (1, 1)
            assert db.run_sync(lambda s: s.get(OAuthSigningKey, uuid.UUID(key_id(token)))) is None
            assert_unauthenticated(await anonymous.get("/cases", headers=bearer(token)))


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-api"},
        {"iss": "someone-else"},
        {"workspace": "01a23b43-0000-7000-8000-000000000000"},
        {"sub": "cwc_nobody"},
        {"exp": 4102444800},  # a lifetime over the longest TTL, though signed with the right key
        {"scope": None},
    ],
    ids=["audience", "issuer", "workspace", "subject", "lifetime", "scope"],
)
async def test_a_token_signed_with_the_right_key_but_wrong_claims_is_refused(client, anonymous, db, change):
    created = await new_client(client)
    token = await access_token(anonymous, created)
    secret = db.run_sync(lambda s: s.scalar(select(OAuthSigningKey.secret).where(OAuthSigningKey.id == uuid.UUID(key_id(token)))))
    claims = jwt.decode(token, options={"verify_signature": False}) | change
    forged = jwt.encode({k: v for k, v in claims.items() if v is not None}, secret, algorithm="HS256", headers={"kid": key_id(token)})
    assert_unauthenticated(await anonymous.get("/api/v1/cases", headers=bearer(forged)))
