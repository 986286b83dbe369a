"""Record ids that sort by when they were made: UUID version 7 (RFC 9562, section 5.7).

A random id (version 4) puts every new row's key, and every index entry naming it (the change log's
and field clocks' ``row_id``, foreign keys), at a random place in indexes of millions of entries, so
each insert touches a page SQLCipher must read and decrypt, then encrypt and write again. A version 7
id starts with the Unix time in milliseconds, so the rows a unit of work adds land next to each other
at the end of each index. The ids are still 128-bit UUIDs in the same column type: vaults and sync
files made with random ids read and merge as before, and nothing compares ids for meaning.

Layout (RFC 9562, 5.7): 48 bits ``unix_ts_ms``, version ``0b0111``, 12 bits ``rand_a``, variant
``0b10``, 62 bits ``rand_b``. Within one millisecond the ids are kept increasing with RFC 9562,
6.2, "Method 1" (a fixed-length dedicated counter): the 12 bits of ``rand_a`` and the first 30 of
``rand_b`` are a 42-bit counter, started at a random value with its top bit clear each new
millisecond and incremented for each id in the same one; the last 32 bits stay random. When the
counter would overflow, or the clock steps back, the timestamp moves on one millisecond (6.2 allows
both), so ids never go backwards on one laptop.

The standard library has ``uuid.uuid7`` only from Python 3.14. The libraries that offer it here
(``uuid6``, ``uuid-utils``) read the system time and system randomness with no way to give them a
frozen clock and a seed, which the force-scale generator and the tests need to make the same vault
twice; so it is these few lines, and :func:`use` swaps the source.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator

_MS_BITS = 48
_COUNTER_BITS = 42
_RAND_A_BITS = 12
_TAIL_BITS = 32
_RAND_B_COUNTER_BITS = _COUNTER_BITS - _RAND_A_BITS  # 30


def _system_ms() -> int:
    return time.time_ns() // 1_000_000


class IdSource:
    """Makes version 7 UUIDs from a millisecond clock and a source of random bits.

    Thread-safe: the vault's checks and the window may create records on different threads.
    """

    def __init__(
        self, now_ms: Callable[[], int] = _system_ms, random_bits: Callable[[int], int] = secrets.randbits
    ) -> None:
        self._now_ms = now_ms
        self._random_bits = random_bits
        self._lock = threading.Lock()
        self._ms = -1
        self._counter = 0

    @classmethod
    def seeded(cls, seed: int | str, now_ms: int) -> IdSource:
        """The same ids in the same order every time: for a frozen clock (tests, the generators)."""
        rng = random.Random(seed)
        return cls(lambda: now_ms, rng.getrandbits)

    def __call__(self) -> uuid.UUID:
        with self._lock:
            now = self._now_ms()
            if now > self._ms:
                self._ms, self._counter = now, self._fresh_counter()
            else:
                self._counter += 1
                if self._counter >> _COUNTER_BITS:  # overflow: borrow the next millisecond
                    self._ms, self._counter = self._ms + 1, self._fresh_counter()
            ms, counter = self._ms, self._counter
            tail = self._random_bits(_TAIL_BITS)
        value = (ms & ((1 << _MS_BITS) - 1)) << 80
        value |= 0x7 << 76
        value |= (counter >> _RAND_B_COUNTER_BITS) << 64
        value |= 0b10 << 62
        value |= (counter & ((1 << _RAND_B_COUNTER_BITS) - 1)) << _TAIL_BITS
        value |= tail
        return uuid.UUID(int=value)

    def _fresh_counter(self) -> int:
        # Top bit clear: room for at least 2**41 more ids in the same millisecond (RFC 9562, 6.2).
        return self._random_bits(_COUNTER_BITS - 1)


_source: IdSource = IdSource()


def new_id() -> uuid.UUID:
    """A new record id (UUID version 7): the default key of every synced record."""
    return _source()


def new_uid() -> str:
    """:func:`new_id` as text, for columns that keep ids as strings (audit events' ``uid``)."""
    return str(_source())


@contextlib.contextmanager
def use(source: IdSource) -> Iterator[IdSource]:
    """Make ids with ``source`` inside the block (a generator with a frozen clock and a fixed seed)."""
    global _source
    before, _source = _source, source
    try:
        yield source
    finally:
        _source = before
