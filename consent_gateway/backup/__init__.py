"""Backup and restore that prove themselves: a consistent copy with its manifest, and a restore
checked against it (ledger, every sealed event, the keys present)."""

from consent_gateway.backup.archive import holds_data, opened, restore_into, write_backup
from consent_gateway.backup.manifest import KeySet, RestoreReport, check_restore, describe, key_id

__all__ = ["KeySet", "RestoreReport", "check_restore", "describe", "holds_data", "key_id", "opened",
           "restore_into", "write_backup"]
