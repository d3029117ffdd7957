"""The French catalogue covers every message the server can show, and messages render again in French."""

import ast
import typing

import pytest
from pydantic import BaseModel, Field, ValidationError
from pydantic_core.core_schema import ErrorType

from casework.errors import InvalidInput, LimitExceeded, NotFound, RateLimited, VersionConflict, from_validation_error
from casework.i18n import ValidationMessage, _, catalogue, joined
from casework.i18n.messages import (
    SOURCE_DIR,
    http_phrases,
    placeholders,
    pydantic_templates,
    source_messages,
    template,
)

FRENCH = catalogue("fr")


def test_every_message_of_the_code_has_a_french_translation():
    missing = sorted({message for message, _file in source_messages()} - set(FRENCH))
    assert missing == [], "run `make messages` and fill these msgstr in the French .po"


def test_every_translation_keeps_the_placeholders_of_its_message():
    differing = [m.id for m in template() if m.id in FRENCH and placeholders(FRENCH[m.id]) != placeholders(m.id)]
    assert differing == []


def test_every_pydantic_error_type_has_a_french_template():
    types = typing.get_args(ErrorType)
    assert set(pydantic_templates()) == set(types)
    assert sorted(set(pydantic_templates().values()) - set(FRENCH)) == []


def test_every_error_status_phrase_has_french_under_both_names_of_rfc_9110():
    phrases = dict(http_phrases())
    assert phrases[404] == "Not Found"
    assert {"Unprocessable Content", "Unprocessable Entity"} <= {phrase for _status, phrase in http_phrases()}
    assert sorted({phrase for _status, phrase in http_phrases()} - set(FRENCH)) == []


def test_a_message_keeps_its_english_text_and_renders_again_in_french():
    message = _("a user with the email {email} already exists", email="ana@example.com")
    assert message == "a user with the email ana@example.com already exists"
    assert message.in_language("fr") == "un utilisateur avec l'adresse e-mail ana@example.com existe déjà"
    assert message.in_language("en") == message


def test_numbers_in_a_french_message_are_grouped_the_french_way():
    message = _("the request body is over the limit of {limit} bytes", limit=65536)
    assert message.in_language("fr") == "le corps de la requête dépasse la limite de 65\u202f536 octets"


def test_not_found_names_the_resource_in_french():
    error = NotFound("comment", "c-1")
    assert error.detail == "comment c-1 not found"
    assert error.detail.in_language("fr") == "commentaire c-1 introuvable"


def test_not_found_of_an_unknown_resource_word_shows_it_as_given():
    assert NotFound("gadget", 7).detail.in_language("fr") == "gadget 7 introuvable"


def test_identifiers_are_not_grouped_by_thousands():
    assert NotFound("case", 12345).detail.in_language("fr") == "dossier 12345 introuvable"
    conflict = VersionConflict(current=1234, given=1000)
    assert conflict.detail.in_language("fr") == (
        "la version 1000 n'est pas la version actuelle ; la version actuelle est 1234"
    )


def test_limit_exceeded_says_what_is_counted_in_french():
    error = LimitExceeded("files", 100, _("files per case"))
    assert error.errors[0].message == "at most 100 files per case"
    assert error.errors[0].message.in_language("fr") == "au plus 100 fichiers par dossier"
    assert error.detail.in_language("fr") == "files : au plus 100 fichiers par dossier"
    assert LimitExceeded("tags", 3).errors[0].message.in_language("fr") == "au plus 3 éléments"


def test_a_field_error_names_the_field_in_both_languages():
    error = InvalidInput.field("If-Match", _('expected an ETag such as "3"'))
    assert error.detail == 'If-Match: expected an ETag such as "3"'
    assert error.detail.in_language("fr") == 'If-Match : un ETag est attendu, par exemple "3"'


def test_rate_limited_says_when_to_retry_in_french():
    assert RateLimited(retry_after=12).detail.in_language("fr") == "limite de débit dépassée ; réessayer dans 12 s"


def test_joined_messages_render_each_part_again():
    both = joined([_("not files of this case: {ids}", ids="a"), _("not tasks of the case: {ids}", ids="b")])
    assert both == "not files of this case: a; not tasks of the case: b"
    assert both.in_language("fr") == "ne sont pas des fichiers de ce dossier : a; ne sont pas des tâches du dossier : b"


class Sample(BaseModel):
    name: str = Field(max_length=3)
    role: typing.Literal["admin", "agent", "viewer"]
    count: int = Field(ge=1)


def sample_errors(**data: object) -> dict[str, ValidationMessage]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return {e.field: e.message for e in from_validation_error(caught.value).errors}  # type: ignore[misc]


def test_pydantic_errors_keep_pydantic_english_and_render_in_french():
    errors = sample_errors(name="long", role="king", count=0)
    assert errors["name"] == "String should have at most 3 characters"
    assert errors["name"].in_language("fr") == "La chaîne doit comporter au plus 3 caractères"
    assert errors["role"].in_language("fr") == "La valeur doit être 'admin', 'agent' ou 'viewer'"
    assert errors["count"].in_language("fr") == "La valeur doit être supérieure ou égale à 1"


def test_pydantic_singular_and_plural_follow_the_limit():
    class One(BaseModel):
        code: str = Field(max_length=1)

    with pytest.raises(ValidationError) as caught:
        One.model_validate({"code": "ab"})
    message = from_validation_error(caught.value).errors[0].message
    assert message.in_language("fr") == "La chaîne doit comporter au plus 1 caractère"  # type: ignore[attr-defined]


def test_a_missing_field_is_reported_in_french():
    assert sample_errors(role="agent", count=1)["name"].in_language("fr") == "Champ obligatoire"


def message_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted(SOURCE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_":
                calls.append((f"{path.relative_to(SOURCE_DIR)}:{node.lineno}", node))
    return calls


def test_every_message_is_a_literal_the_catalogue_can_hold():
    """babel extracts only a plain string: an f-string or a variable would never be translated."""
    calls = message_calls()
    assert len(calls) > 100
    assert [where for where, call in calls if literal_of(call) is None] == []


def test_every_message_is_given_exactly_the_values_it_names():
    wrong = [
        where
        for where, call in message_calls()
        if placeholders(literal_of(call) or "") != {keyword.arg for keyword in call.keywords}
    ]
    assert wrong == []


def literal_of(call: ast.Call) -> str | None:
    if len(call.args) == 1 and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None
