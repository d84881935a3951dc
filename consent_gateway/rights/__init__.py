"""Data-subject rights: requests with their legal deadlines, and the visitor's export. Re-exports only."""

from consent_gateway.rights.deadlines import add_months, due_date, extended_due_date
from consent_gateway.rights.export import export_for_request, visitor_export
from consent_gateway.rights.models import RightsRequest
from consent_gateway.rights.services import (
    IDENTITY_RECEIPT,
    IDENTITY_TO_VERIFY,
    KINDS,
    OUTCOMES,
    RequestDetails,
    RequestView,
    close_request,
    extend_request,
    get_request,
    identify,
    list_requests,
    new_request,
    overdue_requests,
    read_request,
    submit_request,
)
from consent_gateway.rights.timeline import Timeline, find_timeline

__all__ = [
    "IDENTITY_RECEIPT",
    "IDENTITY_TO_VERIFY",
    "KINDS",
    "OUTCOMES",
    "RequestDetails",
    "RequestView",
    "RightsRequest",
    "Timeline",
    "add_months",
    "close_request",
    "due_date",
    "export_for_request",
    "extend_request",
    "extended_due_date",
    "find_timeline",
    "get_request",
    "identify",
    "list_requests",
    "new_request",
    "overdue_requests",
    "read_request",
    "submit_request",
    "visitor_export",
]
