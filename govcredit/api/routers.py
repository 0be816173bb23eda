"""The registry of the apps' API routers: each app mounts its own from its ``apps.py``."""

_ROUTERS: list[tuple[str, str]] = []


def register_router(prefix: str, router: str) -> None:
    """Mount an app's router (its dotted path, e.g. ``"govcredit.subjects.api.router"``) under ``prefix``
    in the API; called from the app's ``apps.py`` ``ready()``. The router is imported only when the API
    is assembled (``api/api.py``, on the first request), so commands do not load every app's schemas."""
    if (prefix, router) not in _ROUTERS:
        _ROUTERS.append((prefix, router))


def registered_routers() -> list[tuple[str, str]]:
    """The registered routers with their prefixes, in the order the apps registered them."""
    return list(_ROUTERS)
