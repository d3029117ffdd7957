"""The token endpoint's errors (RFC 6749 §5.2): each carries its `error` code; oauth.wire renders them."""

from casework.errors import DomainError, InvalidInput, Unauthenticated


class OAuthError(DomainError):
    code: str = "invalid_request"


class InvalidRequest(OAuthError, InvalidInput):
    code = "invalid_request"


class InvalidClient(OAuthError, Unauthenticated):
    code = "invalid_client"


class UnsupportedGrantType(OAuthError, InvalidInput):
    code = "unsupported_grant_type"


class InvalidScope(OAuthError, InvalidInput):
    code = "invalid_scope"
