"""The vault: one SQLCipher-encrypted SQLite file, its key, its migrations and its backups."""
