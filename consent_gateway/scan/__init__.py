"""The tracker scan: each declared page visited in Chromium before a choice, after a refusal and
after an acceptance; what it sets, stores and requests held against the declaration and the Open
Cookie Database; findings kept and compared scan after scan (docs/operations.md, The tracker scan)."""

from consent_gateway.scan.findings import SEVERITIES, Finding, assess
from consent_gateway.scan.models import Scan, ScanFinding
from consent_gateway.scan.service import ScanOutcome, plan_for, run_scan, suggestions
from consent_gateway.scan.store import (
    finding_json,
    finding_status,
    get_scan,
    latest_scan,
    list_scans,
    open_findings,
    open_violations,
    record_scan,
    scan_findings,
    scan_json,
    scan_report,
)

__all__ = [
    "SEVERITIES",
    "Finding",
    "Scan",
    "ScanFinding",
    "ScanOutcome",
    "assess",
    "finding_json",
    "finding_status",
    "get_scan",
    "latest_scan",
    "list_scans",
    "open_findings",
    "open_violations",
    "plan_for",
    "record_scan",
    "run_scan",
    "scan_findings",
    "scan_json",
    "scan_report",
    "suggestions",
]
