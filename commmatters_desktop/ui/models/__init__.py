"""Item models: plain dataclasses in, Qt roles out."""
