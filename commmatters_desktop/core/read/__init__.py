"""Read models by view: each loads what its view shows (one cycle, one ward, one priority) and no more.

``core.queries`` re-exports them for the CLI and older callers.
"""
