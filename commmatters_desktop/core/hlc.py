"""Hybrid logical clock stamps for per-field merge.

A stamp orders edits across laptops whose clocks disagree by hours: it never goes backwards on one
device, it moves past any stamp the device has seen from another, and its text form sorts in the
same order as the stamps themselves (so the database can compare them as strings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commmatters_desktop.core.clock import Clock

#: The counter's six digits: past this the stamp moves on one millisecond instead, so the text form
#: (compared as strings by the database) keeps sorting in clock order.
MAX_COUNTER = 999_999
#: A stamp further ahead of this laptop's clock than this comes from a laptop whose clock is wrong;
#: taking it in would drag every later stamp, here and everywhere, to that date for good.
MAX_DRIFT = dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:015d}-{self.counter:06d}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        wall, counter, device = text.split("-", 2)
        return cls(int(wall), int(counter), device)

    @property
    def moment(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.wall_ms / 1000, dt.UTC)

    def ahead_of(self, now: dt.datetime) -> dt.timedelta:
        """How far this stamp is ahead of ``now`` (negative when behind)."""
        return dt.timedelta(milliseconds=self.wall_ms - int(now.timestamp() * 1000))


def _next(wall_ms: int, counter: int, device: str) -> Stamp:
    if counter > MAX_COUNTER:
        return Stamp(wall_ms + 1, 0, device)
    return Stamp(wall_ms, counter, device)


class HybridClock:
    def __init__(self, clock: Clock, device: str, last: Stamp | None = None) -> None:
        self._clock = clock
        self.device = device
        self.last = last or Stamp(0, 0, device)

    def _wall(self) -> int:
        return int(self._clock.now().timestamp() * 1000)

    def tick(self) -> Stamp:
        wall = self._wall()
        if wall > self.last.wall_ms:
            self.last = Stamp(wall, 0, self.device)
        else:
            self.last = _next(self.last.wall_ms, self.last.counter + 1, self.device)
        return self.last

    def observe(self, remote: Stamp) -> Stamp:
        """Move past a stamp received from another device, so our next edit sorts after it."""
        wall = self._wall()
        top = max(wall, self.last.wall_ms, remote.wall_ms)
        if top == self.last.wall_ms == remote.wall_ms:
            counter = max(self.last.counter, remote.counter) + 1
        elif top == self.last.wall_ms:
            counter = self.last.counter + 1
        elif top == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        self.last = _next(top, counter, self.device)
        return self.last
