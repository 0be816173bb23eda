"""What every router of the JSON API shares, in one import: authentication (``auth``), error answers
(``errors``), paging (``paging``), small schemas (``schemas``) and the router registry (``routers``).

Each concern lives in its own module; this one gathers them so a router imports from one place.
Authorisation itself is not decided here: handlers ask ``govcredit.accounts.access`` and nothing else.
"""

from .auth import API_AUTH, AUTH_METHOD_ATTR, SessionAuth, TokenAuth, actor_of, api_auth, user_of, via_session
from .errors import (
    ERRORS,
    MSG_FORBIDDEN,
    MSG_NOT_FOUND,
    ErrorOut,
    FieldErrorOut,
    forbidden,
    get_in_scope,
    install_error_handlers,
    invalid,
)
from .paging import MAX_PAGE_SIZE, PER_PAGE, Pagination
from .routers import register_router, registered_routers
from .schemas import ReasonIn, Ref

__all__ = [
    "API_AUTH", "AUTH_METHOD_ATTR", "ERRORS", "MAX_PAGE_SIZE", "MSG_FORBIDDEN", "MSG_NOT_FOUND", "PER_PAGE",
    "ErrorOut", "FieldErrorOut", "Pagination", "ReasonIn", "Ref", "SessionAuth", "TokenAuth", "actor_of",
    "api_auth", "forbidden", "get_in_scope", "install_error_handlers", "invalid", "register_router",
    "registered_routers", "user_of", "via_session",
]
