"""Sync between laptops through a shared folder: encrypted change files, a ledger, per-field merge."""
