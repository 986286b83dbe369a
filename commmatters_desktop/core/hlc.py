"""Hybrid logical clock stamps for per-field merge.

A stamp orders edits across laptops whose clocks disagree by hours: it never goes backwards on one
device, it moves past any stamp the device has seen from another, and its text form sorts in the
same order as the stamps themselves (so the database can compare them as strings).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from commmatters_desktop.core.clock import Clock


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
            self.last = Stamp(self.last.wall_ms, self.last.counter + 1, self.device)
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
        self.last = Stamp(top, counter, self.device)
        return self.last
