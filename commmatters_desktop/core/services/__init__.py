"""Use cases. One function per user action; each takes a Session and never commits it.

The caller (a CLI command, a UI undo command, a sync import) owns the transaction: it opens
``Vault.unit_of_work()``, calls services, and the block commits or rolls back as a whole.
"""
