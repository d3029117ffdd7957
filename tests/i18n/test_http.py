"""Accept-Language: fr answers every error in French (title, detail, field messages) with Content-Language: fr;
without it, in English."""

import re
import uuid

import httpx
import pytest

from casework.app import create_app
from casework.db.database import Database
from tests.helpers import api_client, assert_problem, create

FR = {"Accept-Language": "fr"}


def assert_french(response: httpx.Response, status: int, field: str | None = None) -> dict:
    body = assert_problem(response, status, field)
    assert response.headers["content-language"] == "fr"
    return body


def messages_of(body: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


@pytest.fixture
async def fr_client(app, tenant):
    async with api_client(app, {**tenant.admin.headers, **FR}) as c:
        yield c


# Each status, in French and in English


async def test_404_is_in_french(fr_client):
    body = assert_french(await fr_client.get("/cases/SEC-999"), 404)
    assert (body["title"], body["detail"]) == ("Introuvable", "dossier SEC-999 introuvable")


async def test_without_accept_language_the_answer_is_english(client):
    response = await client.get("/cases/SEC-999")
    body = assert_problem(response, 404)
    assert (body["title"], body["detail"]) == ("Not found", "case SEC-999 not found")
    assert response.headers["content-language"] == "en"


async def test_an_unknown_language_gets_english(app, tenant):
    async with api_client(app, {**tenant.admin.headers, "Accept-Language": "de-DE, es;q=0.5"}) as c:
        response = await c.get("/cases/SEC-999")
    assert assert_problem(response, 404)["detail"] == "case SEC-999 not found"
    assert response.headers["content-language"] == "en"


async def test_french_preferred_by_q_value_is_chosen(app, tenant):
    async with api_client(app, {**tenant.admin.headers, "Accept-Language": "en;q=0.4, fr-CA;q=0.8"}) as c:
        response = await c.get("/cases/SEC-999")
    assert assert_french(response, 404)["detail"] == "dossier SEC-999 introuvable"


async def test_401_is_in_french(anonymous):
    response = await anonymous.get("/api/v1/cases", headers=FR)
    body = assert_french(response, 401)
    assert body["title"] == "Non authentifié"
    assert body["detail"] == "jeton « bearer » absent de l'en-tête Authorization"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_401_for_an_unknown_token_is_in_french(anonymous):
    response = await anonymous.get("/api/v1/cases", headers={**FR, "Authorization": "Bearer cw_nope"})
    assert assert_french(response, 401)["detail"] == "jeton d'API inconnu"


async def test_403_is_in_french(app, tenant):
    viewer = tenant.add_member("viewer")
    async with api_client(app, {**viewer.headers, **FR}) as c:
        body = assert_french(await c.post("/cases", json={"title": "X"}), 403)
    assert (body["title"], body["detail"]) == ("Interdit", "le rôle 'viewer' ne permet pas cette action")


async def test_409_is_in_french(fr_client, client):
    case = await create(client)
    response = await fr_client.patch(f"/cases/{case['id']}", json={"title": "Y"}, headers={"If-Match": '"1000"'})
    body = assert_french(response, 409)
    assert body["title"] == "Conflit de version"
    current = case["version"]
    assert body["detail"] == f"la version 1000 n'est pas la version actuelle ; la version actuelle est {current}"


async def test_413_is_in_french_with_the_limit_written_the_french_way(app, settings):
    size = settings.max_body_bytes
    async with api_client(app, FR) as c:
        response = await c.post("/cases", content=b"x" * (size + 1), headers={"Content-Type": "application/json"})
    body = assert_french(response, 413)
    assert body["title"] == "Contenu trop volumineux"
    grouped = f"{size:,}".replace(",", "\u202f")
    assert body["detail"] == f"le corps de la requête dépasse la limite de {grouped} octets"


async def test_429_is_in_french(app, tenant):
    limited = tenant.add_member("agent", rate_limit="1/minute")
    async with api_client(app, {**limited.headers, **FR}) as c:
        assert (await c.get("/me")).status_code == 200
        response = await c.get("/me")
    body = assert_french(response, 429)
    assert body["title"] == "Trop de requêtes"
    assert re.fullmatch(r"limite de débit dépassée ; réessayer dans \d+ s", body["detail"])
    assert body["detail"].endswith(f" {response.headers['retry-after']} s")


# 422: pydantic's own messages, and ours


async def test_pydantic_messages_are_in_french_naming_each_field(fr_client):
    response = await fr_client.post(
        "/users", json={"email": "ana@example.com", "name": "n" * 161, "role": "king", "shoe_size": 44}
    )
    body = assert_french(response, 422, "name")
    assert body["title"] == "Données invalides"
    assert messages_of(body) == {
        "name": "La chaîne doit comporter au plus 160 caractères",
        "role": "La valeur doit être 'admin', 'manager', 'agent', 'reviewer' ou 'viewer'",
        "shoe_size": "Les champs supplémentaires ne sont pas autorisés",
    }
    assert "La chaîne doit comporter au plus 160 caractères" in body["detail"]


async def test_a_missing_field_is_reported_in_french(fr_client):
    body = assert_french(await fr_client.post("/users", json={"name": "Ana"}), 422, "email")
    assert messages_of(body)["email"] == "Champ obligatoire"


async def test_query_and_path_parameters_are_reported_in_french(fr_client):
    body = assert_french(await fr_client.get("/cases", params={"limit": 0}), 422, "limit")
    assert messages_of(body)["limit"] == "La valeur doit être supérieure ou égale à 1"
    body = assert_french(await fr_client.delete("/tokens/not-a-uuid"), 422, "token_id")
    assert messages_of(body)["token_id"].startswith("La valeur doit être un UUID valide : ")


async def test_our_validators_answer_in_french_without_pydantic_prefix(fr_client, client):
    case = await create(client)
    response = await fr_client.post(f"/cases/{case['id']}/tasks", json={"description": "   "})
    body = assert_french(response, 422, "description")
    assert messages_of(body)["description"] == "ne doit pas être vide"


async def test_our_validators_answer_in_english_without_the_header(client):
    case = await create(client)
    response = await client.post(f"/cases/{case['id']}/tasks", json={"description": "   "})
    assert messages_of(assert_problem(response, 422, "description"))["description"] == "must not be blank"


async def test_a_service_field_error_is_in_french_naming_the_field(fr_client, client):
    case = await create(client)
    response = await fr_client.patch(f"/cases/{case['id']}", json={"title": "Y"}, headers={"If-Match": "soon"})
    body = assert_french(response, 422, "If-Match")
    assert messages_of(body)["If-Match"] == 'un ETag est attendu, par exemple "3"'
    assert body["detail"] == 'If-Match : un ETag est attendu, par exemple "3"'


async def test_a_field_error_with_values_is_in_french(fr_client, client):
    case = await create(client)
    body = {"alert_ids": ["a1", "a2"], "indexes": ["logs"]}
    response = await fr_client.post(f"/cases/{case['id']}/alerts", json=body)
    body = assert_french(response, 422, "indexes")
    assert messages_of(body)["indexes"] == (
        "doit donner un index par identifiant d'alerte : 2 identifiants d'alerte, 1 index"
    )


async def test_element_errors_checked_inside_a_service_are_in_french(fr_client, client):
    case = await create(client)
    blocks = {
        "blocks": [
            {"title": "Data", "block_type": "metadata", "elements": [{"host": ["a", "b"]}]},
        ]
    }
    body = assert_french(await fr_client.post(f"/cases/{case['id']}/blocks", json=blocks), 422)
    assert messages_of(body) == {"blocks.0.elements.0.host": "doit être une chaîne, un nombre ou un booléen"}
    note = {"blocks": [{"title": "Note", "block_type": "note", "elements": [{"content": "c" * 30_001}]}]}
    body = assert_french(await fr_client.post(f"/cases/{case['id']}/blocks", json=note), 422)
    assert messages_of(body) == {
        "blocks.0.elements.0.content": "La chaîne doit comporter au plus 30\u202f000 caractères"
    }


# Starlette's own answers


async def test_an_unknown_route_is_in_french(app):
    async with api_client(app, FR) as c:
        body = assert_french(await c.get("/nope"), 404)
    assert (body["title"], body["detail"]) == ("Introuvable", "Introuvable")


async def test_a_wrong_method_is_in_french(fr_client):
    body = assert_french(await fr_client.put("/cases"), 405)
    assert (body["title"], body["detail"]) == ("Méthode non autorisée", "Méthode non autorisée")


async def test_an_unsupported_upload_type_is_in_french(fr_client, client):
    case = await create(client)
    response = await fr_client.post(f"/cases/{case['id']}/files", content=b"hi", headers={"Content-Type": "text/plain"})
    body = assert_french(response, 415)
    assert body["title"] == "Type de média non pris en charge"
    assert body["detail"].startswith("envoyer le fichier en multipart/form-data")


async def test_readiness_explains_itself_in_french(tmp_path, settings):
    unmigrated = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        transport = httpx.ASGITransport(app=create_app(settings, unmigrated))
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=FR) as c:
            response = await c.get("/readyz")
    finally:
        unmigrated.dispose()
    assert response.status_code == 503
    detail = "les migrations de la base de données ne sont pas à jour"
    assert response.json() == {"status": "unavailable", "detail": detail}
    assert response.headers["content-language"] == "fr"


# NotFound names each kind of content in French


@pytest.fixture
async def two_cases(client):
    return await create(client, title="First"), await create(client, title="Second")


MISSING = str(uuid.uuid4())


@pytest.mark.parametrize(
    "method, path, detail",
    [
        ("GET", "/cases/SEC-404", "dossier SEC-404 introuvable"),
        ("GET", "/projects/NOPE", "projet NOPE introuvable"),
        ("GET", "/cases/{first}/comments/{missing}", "commentaire {missing} introuvable"),
        ("GET", "/cases/{first}/files/{missing}", "fichier {missing} introuvable"),
        ("GET", "/cases/{first}/tasks/{missing}", "tâche {missing} introuvable"),
        ("GET", "/cases/{first}/blocks/{missing}", "bloc {missing} introuvable"),
        ("DELETE", "/cases/{first}/alerts/alert-9", "alerte alert-9 introuvable"),
        ("DELETE", "/cases/{first}/watchers/{missing}", "observateur {missing} introuvable"),
        ("DELETE", "/cases/{first}/links/{second_key}", "lien {second_key} introuvable"),
        ("GET", "/users/{missing}", "utilisateur {missing} introuvable"),
        ("DELETE", "/tokens/{missing}", "jeton {missing} introuvable"),
    ],
)
async def test_not_found_names_each_kind_in_french(fr_client, two_cases, method, path, detail):
    first, second = two_cases
    values = {"first": first["id"], "second_key": second["key"], "missing": MISSING}
    response = await fr_client.request(method, path.format(**values))
    body = assert_french(response, 404)
    assert body["detail"] == detail.format(**values)


async def test_the_refused_items_of_a_bulk_answer_are_in_french(fr_client, client):
    case = await create(client)
    field = {"key": "amount", "label": "Amount", "type": "number"}
    assert (await client.post("/projects/SEC/fields", json=field)).status_code == 201
    items = [{"id": case["key"], "changes": {"status": "Gelé"}}, {"id": "SEC-999", "changes": {"title": "x"}}]
    response = await fr_client.post("/cases/bulk", json={"items": items})
    assert response.status_code == 200, response.text
    refused, missing = (r["error"] for r in response.json()["results"])
    assert (refused["title"], refused["errors"][0]["field"]) == ("Données invalides", "status")
    assert refused["errors"][0]["message"].startswith("statut Gelé inconnu")
    assert missing["detail"] == "dossier SEC-999 introuvable"
    field_bulk = await fr_client.post("/projects/SEC/fields/amount/bulk", json={"value": 3, "cases": ["SEC-999"]})
    assert field_bulk.status_code == 200, field_bulk.text
    assert field_bulk.json()["results"][0]["error"]["detail"] == "dossier SEC-999 introuvable"
    english = await client.post("/cases/bulk", json={"items": items[1:]})
    assert english.json()["results"][0]["error"]["detail"] == "case SEC-999 not found"
