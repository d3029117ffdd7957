"""Every message and label the server produces, in English and French.

`_("case {key} is archived", key=...)` marks a message for the catalogue (babel extracts `_` calls) and returns a
`Message`: a str holding the English text that also remembers its template and values, so each wire format can
render it again in the caller's language. French lives in `locales/fr/LC_MESSAGES/casework.po`.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeGuard, get_args

from babel import Locale
from babel.dates import format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from pydantic_core import PydanticKnownError
from pydantic_core.core_schema import ErrorType

from casework.db.base import rfc3339

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"


class Message(str):
    """English text, rendered from `template` and `params`, that can be rendered again in another language."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> "Message":
        params = dict(params or {})
        message = super().__new__(cls, _fill(template, params, DEFAULT_LANGUAGE))
        message.template = template
        message.params = params
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, dict(self.params)))

    def in_language(self, language: str) -> str:
        if language == DEFAULT_LANGUAGE:
            return str(self)
        template = catalogue(language).get(self.template) or self.template
        return _fill(template, self.params, language)


def _(template: str, **params: Any) -> Message:
    return Message(template, params)


def joined(parts: Sequence[str], separator: str = "; ") -> Message:
    """Messages joined into one that renders each part again in the reader's language."""
    names = [f"part{n}" for n in range(len(parts))]
    return Message(separator.join("{" + name + "}" for name in names), dict(zip(names, parts, strict=True)))


class ValidationMessage(Message):
    """One of pydantic's errors, kept whole so that `validation_message` renders it again in another language."""

    error: Mapping[str, Any]

    def __new__(cls, error: Mapping[str, Any]) -> "ValidationMessage":
        error = {key: error.get(key) for key in ("type", "msg", "ctx")}
        message = str.__new__(cls, validation_message(error, DEFAULT_LANGUAGE))
        message.template, message.params, message.error = str(message), {}, error
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (str(self),))

    def in_language(self, language: str) -> str:
        return validation_message(self.error, language)


def _fill(template: str, params: Mapping[str, Any], language: str) -> str:
    if not params:
        return template
    return template.format(**{name: _formatted(value, language) for name, value in params.items()})


def _formatted(value: Any, language: str) -> Any:
    if isinstance(value, Message):
        return value.in_language(language)
    if language == DEFAULT_LANGUAGE:
        return rfc3339(value) if isinstance(value, datetime) else value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return format_decimal(value, locale=language)
    if isinstance(value, datetime):
        return format_datetime(value, format="medium", locale=language)
    if isinstance(value, date):
        return value.isoformat()
    return value


def translate(text: str, language: str) -> str:
    """A message in `language`: a Message is rendered again; a plain str is looked up as a template without values."""
    if isinstance(text, Message):
        return text.in_language(language)
    if language == DEFAULT_LANGUAGE:
        return text
    return catalogue(language).get(text) or text


@cache
def catalogue(language: str) -> dict[str, str]:
    """English template -> translated template, read once from the language's .po file."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / "casework.po"
    if not path.exists():
        return {}
    with path.open("rb") as po:
        parsed = read_po(po, locale=language)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string and not m.fuzzy}


def negotiate(accept_language: str | None) -> str:
    """The best of LANGUAGES for an Accept-Language header (RFC 9110 q-values); English when nothing matches."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    preferred = [tag.replace("_", "-") for _q, _p, tag in sorted(ranked)]
    if "*" in preferred:
        preferred = preferred[: preferred.index("*")] or [DEFAULT_LANGUAGE]
    locale = Locale.negotiate(preferred, LANGUAGES, sep="-")
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def validation_message(error: Mapping[str, Any], language: str) -> str:
    """One of pydantic's errors in `language`.

    Our own validators raise ValueError(Message): that message is used without pydantic's "Value error, " prefix.
    pydantic's own messages are looked up by their English template in the catalogue.
    """
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Exception) and cause.args and isinstance(cause.args[0], Message):
        return cause.args[0].in_language(language)
    if language == DEFAULT_LANGUAGE:
        return str(error.get("msg", "invalid"))
    template = _pydantic_template(str(error.get("type", "")), error.get("ctx") or {})
    translated = catalogue(language).get(template) if template else None
    if translated is None:
        return str(error.get("msg", "invalid"))
    params = {name: _formatted(value, language) for name, value in (error.get("ctx") or {}).items()}
    if isinstance(params.get("expected"), str):
        params["expected"] = _alternatives(params["expected"], language)
    plural = next((v for k, v in (error.get("ctx") or {}).items() if isinstance(v, int) and not isinstance(v, bool)), 2)
    params.setdefault("expected_plural", "" if plural == 1 else "s")
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", "invalid"))


def _alternatives(expected: str, language: str) -> str:
    """pydantic's "'a', 'b' or 'c'" with the last "or" in `language`."""
    first, sep, last = expected.rpartition(" or ")
    return _("{first} or {second}", first=first, second=last).in_language(language) if sep else expected


_ERROR_TYPES = frozenset(get_args(ErrorType))


def _is_error_type(name: str) -> TypeGuard[ErrorType]:
    return name in _ERROR_TYPES


def _pydantic_template(error_type: str, ctx: Mapping[str, Any]) -> str | None:
    if not _is_error_type(error_type):
        return None
    try:
        return PydanticKnownError(error_type, dict(ctx) or None).message_template
    except (KeyError, TypeError, ValueError):
        return None
