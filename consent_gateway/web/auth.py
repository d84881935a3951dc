"""The staff guard of the API: a bearer token with the right role."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from consent_gateway.errors import Forbidden, Unauthorized
from consent_gateway.web.platform.credentials import check_credential

F = TypeVar("F", bound=Callable[..., Any])


def require_role(*roles: str, admin: bool = True) -> Callable[[F], F]:
    """Bearer-token guard: 401 without a valid token, 403 when its role is not in ``roles``.

    Failed tokens slow down per client and per token prefix (``web.platform.credentials``).
    ``admin`` may do everything, except where ``admin=False`` keeps a read to ``roles`` alone (a
    candidate's files are the recruiters' only). The authenticated token is put on ``g.staff``.
    """
    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("a staff token is required: Authorization: Bearer <token>")
            # A wrong token is counted; past the limit it is a 429 (a correct one always passes).
            staff = check_credential(token.strip(), record_use=True)
            if staff is None:
                raise Unauthorized("this staff token is not valid or was revoked")
            if staff.role not in roles and not (admin and staff.role == "admin"):
                raise Forbidden(f"this needs the role {' or '.join(roles)}; the token has {staff.role}")
            g.staff = staff
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
