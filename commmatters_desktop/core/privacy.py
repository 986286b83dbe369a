"""Finding personal data in text that is about to be shown in public or printed.

Used by every public output (leaflets, the meeting screen, minutes): the text is scanned for the
names of people the vault holds as personal data, phone numbers, email addresses and vehicle
registrations. A leaflet with a finding is refused; the meeting screen masks what it finds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import PUBLIC_ROLES
from commmatters_desktop.core.models import Person

# UK numbers: 07xxx / 01xxx / 02x / +44, with spaces, dots or dashes; 101 and 999 are not personal.
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s().-]?){9,10}(?!\w)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?!\w)")
# Current (AB12 CDE), prefix (A123 BCD) and suffix (ABC 123D) registrations.
_VRM = re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b")

KIND_LABELS = {
    "name": "a name held as personal data",
    "person": "what looks like a person's name",
    "phone": "a phone number",
    "email": "an email address",
    "vehicle": "a vehicle registration",
}
#: Team routes that may appear in public: not personal.
_ALLOWED_NUMBERS = frozenset({"101", "999", "111"})


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame"})
_CAPITALISED_RUN = re.compile(r"[A-Z][a-z'’-]*\.?(?:\s+[A-Z][a-z'’-]*\.?)+")
#: A capitalised word after a given name that makes it a place, not a person ("Victoria Road").
_PLACE_WORDS = frozenset(
    "road street lane avenue park close way drive court gardens square hill green place terrace crescent grove "
    "walk row centre center hall school church library estate house station bridge field fields common market "
    "precinct parade view rise mews wharf academy college surgery club pub arms inn ward council".split()
)


@functools.cache
def _given_names() -> frozenset[str]:
    from commmatters_desktop.paths import resource

    words = resource("data", "given-names.txt").read_text(encoding="utf-8")
    return frozenset(w for line in words.splitlines() if not line.startswith("#") for w in line.split())


def guess_people(text: str) -> list[Finding]:
    """Likely names of people typed by residents ("Margaret Oduya", "Mrs Dawson").

    Inside each run of capitalised words: a title and the word after it, or a common given name and
    the capitalised words after it that are not street or place words. Used to mask public screens,
    where hiding a place by mistake costs little and showing a person costs a lot; never to refuse
    a leaflet.
    """
    found = []
    for run in _CAPITALISED_RUN.finditer(text):
        words = [
            (m.group(), run.start() + m.start(), run.start() + m.end())
            for m in re.finditer(r"\S+", run.group())
        ]
        index = 0
        while index < len(words) - 1:
            word = words[index][0].rstrip(".").lower()
            if word in _TITLE_WORDS or word in _given_names():
                end = index + 1
                while (
                    end < len(words)
                    and end - index <= 2
                    and words[end][0].rstrip(".").lower() not in _PLACE_WORDS
                ):
                    end += 1
                if end > index + 1:
                    start, stop = words[index][1], words[end - 1][2] - words[end - 1][0].endswith(".")
                    found.append(Finding("person", text[start:stop], start, stop))
                    index = end
                    continue
            index += 1
    return found


def scan(
    text: str, names: Iterable[str] = (), *, allow: Iterable[str] = (), guess_names: bool = False
) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, in order of appearance.

    ``allow`` lists strings that may appear (a team mailbox or switchboard printed on purpose);
    ``guess_names`` also catches names that are not in the vault (for public screens).
    """
    allowed = {a.strip().casefold() for a in allow if a.strip()}
    found: list[Finding] = []
    for name in {n.strip() for n in names if len(n.strip()) >= 4}:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
            found.append(Finding("name", match.group(), match.start(), match.end()))
    for kind, pattern in (("email", _EMAIL), ("phone", _PHONE), ("vehicle", _VRM)):
        for match in pattern.finditer(text):
            value = match.group().strip()
            if value.casefold() in allowed or re.sub(r"\D", "", value) in _ALLOWED_NUMBERS:
                continue
            if any(value.casefold() in a for a in allowed):
                continue
            found.append(Finding(kind, value, match.start(), match.start() + len(value)))
    if guess_names:
        found.extend(guess_people(text))
    found.sort(key=lambda f: (f.start, -f.end))
    # Drop findings inside another (an email's digits are not also a phone number).
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def mask(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding replaced by a neutral placeholder, for display on a public screen."""
    placeholders = {
        "name": "[name removed]", "person": "[name removed]", "phone": "[number removed]",
        "email": "[email removed]", "vehicle": "[vehicle removed]",
    }  # fmt: skip
    out, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[last : finding.start])
        out.append(placeholders[finding.kind])
        last = finding.end
    out.append(text[last:])
    return "".join(out)


_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def protected_names(session: Session) -> list[str]:
    """Members of the public the vault holds: full names, and "Mrs Surname" forms.

    Bare surnames are not matched: "Hall" or "Park" would refuse every leaflet about a church hall.
    """
    names: set[str] = set()
    for full_name in session.scalars(
        select(Person.full_name).where(Person.deleted.is_(False), Person.role.in_(PUBLIC_ROLES))
    ):
        names.add(full_name)
        parts = full_name.split()
        if len(parts) > 1:
            names.update(f"{title} {parts[-1]}" for title in _TITLES)
    return sorted(names)
