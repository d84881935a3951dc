"""Staff: API tokens and roles, signed-in sessions, the access log, the DPO's proof bundles."""

from consent_gateway.staff.models import AccessLog, StaffSession, StaffToken
from consent_gateway.staff.proof import proof_bundle, receipt_site
from consent_gateway.staff.sessions import end_staff_session, open_staff_session, resume_staff_session
from consent_gateway.staff.tokens import (
    ROLES,
    SITE_ROLES,
    TokenInfo,
    access_log,
    active_staff,
    authenticate,
    create_token,
    list_tokens,
    log_access,
    revoke_token,
)

__all__ = [
    "ROLES", "SITE_ROLES", "AccessLog", "StaffSession", "StaffToken", "TokenInfo", "access_log",
    "active_staff", "authenticate", "create_token", "end_staff_session", "list_tokens", "log_access",
    "open_staff_session", "proof_bundle", "receipt_site", "resume_staff_session", "revoke_token",
]
