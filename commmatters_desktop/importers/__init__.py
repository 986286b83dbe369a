"""Readers for the files officers are handed: ONS lookups, poll exports, police.uk CSVs."""
