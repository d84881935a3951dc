"""Staff: API tokens and roles, the access log, the DPO's proof bundles."""

from consent_gateway.staff.models import AccessLog, StaffToken
from consent_gateway.staff.proof import proof_bundle, receipt_site
from consent_gateway.staff.tokens import (
    ROLES,
    SITE_ROLES,
    access_log,
    active_staff,
    authenticate,
    create_token,
    log_access,
)

__all__ = [
    "ROLES", "SITE_ROLES", "AccessLog", "StaffToken", "access_log", "active_staff", "authenticate",
    "create_token", "log_access", "proof_bundle", "receipt_site",
]
