"""Finding personal data in text that is about to be shown in public or printed.

Used by every public output (leaflets, the meeting screen, minutes): the text is scanned for the
names of people the vault holds as personal data, phone numbers, email addresses and vehicle
registrations. A leaflet with a finding is refused; the meeting screen masks what it finds.
"""

from __future__ import annotations

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


def scan(text: str, names: Iterable[str] = (), *, allow: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that looks like personal data, in order of appearance.

    ``allow`` lists strings that may appear (a team mailbox or switchboard printed on purpose).
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
    found.sort(key=lambda f: (f.start, -f.end))
    # Drop findings inside another (an email's digits are not also a phone number).
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def mask(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding replaced by a neutral placeholder, for display on a public screen."""
    placeholders = {"name": "[name removed]", "phone": "[number removed]", "email": "[email removed]",
                    "vehicle": "[vehicle removed]"}  # fmt: skip
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
