"""Finding personal data in text that is about to be shown in public or printed.

This is the detector: it *suggests* a masked draft and *warns*; it is never the only barrier.
What reaches a public surface is the public wording an officer approved (``core.public``), and the
one gate there refuses anything this detector still flags. One strictness everywhere: the meeting
screen, the minutes and the leaflet all use :func:`scan` with the same rules.

Built on well-kept libraries where they exist (docs/PRIVACY.md says what was chosen and why):
``phonenumbers`` (Google's libphonenumber) finds phone numbers in any format, and ``pyahocorasick``
matches every name the vault holds in one pass (linear in the text, however many names). Patterns
cover what no library does for UK text: postcodes, house-number addresses, dates of birth in digits
and words, National Insurance numbers, vehicle registrations in any case and obfuscated emails.
Names residents typed that the vault does not hold are guessed from titles, given names and
surnames of many origins, "Surname, Forename", Polish surname endings, Mc/Mac/O' and any word in a
non-Latin script; a guess inside a Greater Manchester ward or town name is not a person.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick
import phonenumbers
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import PUBLIC_ROLES
from commmatters_desktop.core.models import Person

KIND_LABELS = {
    "name": "a name held as personal data",
    "person": "what looks like a person's name",
    "phone": "a phone number",
    "email": "an email address",
    "vehicle": "a vehicle registration",
    "postcode": "a postcode",
    "address": "a house number and street",
    "dob": "a date of birth",
    "ni": "a National Insurance number",
}
PLACEHOLDERS = {
    "name": "[name removed]",
    "person": "[name removed]",
    "phone": "[number removed]",
    "email": "[email removed]",
    "vehicle": "[vehicle removed]",
    "postcode": "[postcode removed]",
    "address": "[address removed]",
    "dob": "[date of birth removed]",
    "ni": "[NI number removed]",
}
#: Team routes that may appear in public: not personal.
_ALLOWED_NUMBERS = frozenset({"101", "999", "111", "105", "119"})


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


# --- patterns ------------------------------------------------------------------------------------------------

_I = re.IGNORECASE
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0\)?[\s.-]?)(?:\d[\s().-]?){9,10}(?!\w)")
_AT = r"(?:\s*@\s*|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
_TLD = r"(?:com|co\s*\.?\s*uk|co\s+dot\s+uk|org|net|uk|gov|ac|io|me|info|biz|eu|pl|pk|ie)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}(?!\w)", _I
)
_EMAIL_PLAIN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?!\w)")
#: Spelled out one character at a time: "j o h n @ g m a i l . c o m".
_EMAIL_SPACED = re.compile(
    r"(?<!\S)(?:[\w.+-] ){2,}[\w.+-]? ?(?:@|\(at\)|at) ?(?:[\w.-] ?){3,}[\w](?!\S)", _I
)
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s*\d[A-Z]{2}\b", _I)
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", _I)
_VRM_CURRENT = re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", _I)
_VRM_OLD = re.compile(r"\b(?:[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b", _I)
_VRM_CUE = re.compile(
    r"\b(?:reg(?:istration)?|number\s+plate|plate)(?:\s+(?:no\.?|number|is|was))?[\s:]+([A-Z0-9]{2,4}\s?[A-Z0-9]{2,4})\b",
    _I,
)
_STREET = (
    r"(?:road|rd|street|st|lane|ln|avenue|ave|close|way|drive|dr|court|ct|gardens|grove|crescent|terrace|"
    r"place|square|walk|row|mews|rise|view|hill|green|parade|brow|fold|meadow|meadows|croft|vale|park|"
    r"approach|bank|gate|side|wharf|villas|cottages|buildings|estate|flats|house|towers|heights)"
)
_ADDRESS = re.compile(
    r"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?\s*,?\s*)?(?:no\.?\s*|number\s+)?\d{1,4}[a-z]?(?:\s*-\s*\d{1,4})?"
    rf",?\s+((?:[^\W\d_][\w'’-]*\s+){{0,3}})(?:{_STREET}|[^\W\d_]{{3,}}(?:way|gate|side|fields?|brook|croft))\b",
    _I,
)
_FLAT = re.compile(r"\b(?:flat|apartment|apt|number|no\.)\s*\d{1,4}[a-z]?\b", _I)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_OLD_YEAR = r"(?:19\d\d|200\d|201[0-5])"
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|and|oh)"
)
_ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
    r"(?:twenty|thirty)[\s-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth))"
)
_YEAR_WORDS = rf"(?:nineteen|two\s+thousand)(?:[\s-]+{_NUMBER_WORDS})*"
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_DOB_PATTERNS = [
    re.compile(rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:{_OLD_YEAR}|\d\d)\b", _I),
    re.compile(rf"\b{_OLD_YEAR}[/.-]\d{{1,2}}[/.-]\d{{1,2}}\b", _I),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:{_OLD_YEAR}|{_YEAR_WORDS})\b", _I),
    re.compile(rf"\b{_MONTHS}\.?\s+(?:the\s+)?{_DAY},?\s+(?:{_OLD_YEAR}|{_YEAR_WORDS})\b", _I),
]
_DOB_CUE = re.compile(
    rf"\b(?:born|dob|d\.o\.b\.?|date\s+of\s+birth|birthday|birth\s+date)\s*(?:is|was|on|in|:)?\s*(?:the\s+)?"
    rf"((?:{_DAY}|{_MONTHS}|{_OLD_YEAR}|{_YEAR_WORDS}|\d{{1,4}}|of|[/.,-])(?:[\s/.,-]*(?:{_DAY}|{_MONTHS}|"
    rf"{_OLD_YEAR}|{_YEAR_WORDS}|\d{{1,4}}|of)\b)*)",
    _I,
)
_TWO_DIGIT_RECENT = re.compile(r"[/.-](?:1[6-9]|[23]\d)$")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POLISH_SURNAME = re.compile(r"(?:[^\W\d_]{3,}(?:ski|ska|cki|cka|dzki|dzka|wicz|czyk|czak|wski|wska))$")
_CELTIC_SURNAME = re.compile(r"^(?:Mc|Mac|O['’]|Fitz)[A-Z]")
_POLISH_LETTERS = re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]")

_LEADING_TITLE = re.compile(r"(?:mr|mrs|ms|miss|mx|dr)\.?\s+")
_TITLE_WORDS = frozenset("mr mrs ms miss mx dr sir dame auntie aunty uncle nana nan grandad grandma".split())
_PARTICLES = frozenset(
    "ap ab bin binti bint al el ul ur ud van von de da di du la le del della dos das ibn abu".split()
)
#: Words after a name that make it a place ("Victoria Road", "Albert Square").
_PLACE_WORDS = frozenset(
    "road rd street st lane avenue ave park close way drive court gardens square hill green place terrace crescent "
    "grove walk row centre center hall school church chapel mosque temple gurdwara synagogue library estate house "
    "station bridge field fields common market precinct parade view rise mews wharf academy college university "
    "surgery club pub arms inn ward council brook moor heath wood woods lodge primary high infants juniors "
    "nursery recreation rec playing ground grounds medical health shopping retail leisure community sports "
    "baths pool garage tower towers point quay basin canal reservoir fold brow gate bank side vale meadow "
    "croft villas cottages buildings works mill mills hospital infirmary tram metrolink bus interchange".split()
)
#: Given names and surnames that are also everyday words: a person only beside another name or a title.
_AMBIGUOUS = frozenset(
    "will mark rose may june april august grace hope faith joy bill pat sue don ray art bob sandy dawn summer "
    "autumn amber ruby holly ivy iris hazel jade crystal pearl olive violet lily poppy daisy heather rosemary "
    "ash dean lee frank rich guy jack carol chase drew gene glen jean kit max miles norm penny rob robin rod "
    "rusty sky victor wade warren hunter mason parker baker cook price young bishop major king grant page "
    "cliff dot ed ken les mo nick pip rock sonny star storm trinity eve eden angel blessing precious green "
    "hall wood hill ward bell fox gray grey white brown lord mills marshall hunt palmer holmes bailey bennett "
    "carter long short little cross moss lever shaw stanley clifford douglas victoria albert alexandra "
    "florence sydney chester lincoln york kent derby sale bury leigh hale heywood elton chadderton tonge "
    "moor rich field wing bar mill hay hope noble strong sharp swift fair best peel ogden lord hamer "
    "jo hero valentine harmony liberty justice meadow river sunny honey clay stone wolf "
    "christian islam noor asha amir kiran mina ana lena maja amelia una nia wyn bryn glyn huw "
    "sun son dan al ali kamal omar rahul raza sana shah ray rey bee ham hart la le da de van don".split()
)
#: Everyday words: never the second word of a name ("John keeps", "john said").
_STOP = frozenset(
    """a an the and or but if of in on at to for from by with without about above after again against all am
    are as be because been before being below between both can could did do does doing down during each few
    further had has have having he her here hers herself him himself his how i into is it its itself just me
    more most my myself no nor not now off once only other our ours out over own same she should so some such
    than that their theirs them then there these they this those through too under until up very was we were
    what when where which while who whom why would you your yours also again always never often keeps kept
    said says say told tells asked asks lives lived living parks parked parking drives drove driving dumps
    dumped dumping shouts shouted shouting runs ran sells sold selling deals dealing lets let leaves left
    complained complains reported reports called calls rang rings phoned emailed wrote writes and's
    from's next near opposite outside behind round around along across past via next door who's whose
    please thanks thank yes ok okay every everyone nobody someone people residents resident neighbours
    neighbour police council officers officer team ward panel nomination problem issue issues again still
    got get gets getting has've been being is isn't wasn't can't won't don't doesn't didn't it's that's
    one two three four five six seven eight nine ten lots many most some any no
    everyday night nights day days week weeks weekend evening evenings morning mornings afternoon
    monday tuesday wednesday thursday friday saturday sunday mayor councillor cllr mp queen prince princess""".split()
)
_CUE_WORDS = frozenset("called named neighbour neighbours neighbor neighbors landlord tenant".split())
_NAME_IS = re.compile(r"\b(?:my|his|her|their)\s+name\s+is\s+([^\W\d_][\w'’-]*)", _I)
_VRM_STOP = frozenset(
    "and the for off was are but not you all any can had her his one our out day get has him how man new now "
    "old see two way who boy did its let put say she too use bus car van taxi per nor yet via ago top end "
    "few lot got set run far age act war law job".split()
)


def _norm(word: str) -> str:
    low = word.lower().replace("’", "'")
    return low[:-2] if low.endswith("'s") else low


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _non_latin(word: str) -> bool:
    return any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "LATIN") for ch in word)


@functools.cache
def _lexicon(name: str) -> frozenset[str]:
    from commmatters_desktop.paths import resource

    words = resource("data", name).read_text(encoding="utf-8")
    return frozenset(w for line in words.splitlines() if not line.startswith("#") for w in line.split())


def _given(low: str) -> bool:
    return low in _lexicon("given-names.txt") or unicodedata.normalize("NFKD", low).encode(
        "ascii", "ignore"
    ).decode() in _lexicon("given-names.txt")


def _surname(low: str, word: str) -> bool:
    if low in _lexicon("surnames.txt"):
        return True
    if _POLISH_SURNAME.search(low) or _CELTIC_SURNAME.match(word):
        return True
    return "-" in low and any(_surname(part, part) or _given(part) for part in low.split("-") if part)


# --- matching many names at once ---------------------------------------------------------------------------


class _Phrases:
    """An Aho-Corasick automaton over lower-cased phrases: one pass over the text finds them all."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        count = 0
        for phrase in phrases:
            key = " ".join(phrase.lower().split())
            if len(key) >= 3:
                self._automaton.add_word(key, len(key))
                count += 1
        self._empty = count == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, lowered: str) -> Iterator[tuple[int, int]]:
        if self._empty:
            return
        for end, length in self._automaton.iter(lowered):
            start, stop = end - length + 1, end + 1
            before = lowered[start - 1] if start > 0 else " "
            after = lowered[stop] if stop < len(lowered) else " "
            if not (before.isalnum() or after.isalnum()):
                yield start, stop


def _lower_same_length(text: str) -> str:
    """Lower case without changing offsets, and with runs of spaces kept (phrases use single spaces)."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@functools.cache
def _places() -> _Phrases:
    """Ward and town names of Greater Manchester (ONS, OGL): a name inside one is a place."""
    from commmatters_desktop.paths import resource

    names: set[str] = set()
    for file, column in (
        ("greater-manchester-wards-2022.csv", "wd22nm"),
        ("greater-manchester-lsoa-to-ward-2022.csv", "lsoa21nm"),
    ):
        with resource("data", "ons", file).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                value = re.sub(r"\s+\d{3}[A-Z]$", "", row[column])
                for part in re.split(r"\s*(?:&|,| and | with )\s*", value):
                    names.add(part)
                names.add(value)
    return _Phrases(names)


# --- the detector ---------------------------------------------------------------------------------------------


def _pattern_findings(text: str) -> Iterator[Finding]:
    for pattern in (_EMAIL, _EMAIL_PLAIN, _EMAIL_SPACED):
        for m in pattern.finditer(text):
            yield Finding("email", m.group(), m.start(), m.end())
    for m in _NI.finditer(text):
        yield Finding("ni", m.group(), m.start(), m.end())
    for m in _POSTCODE.finditer(text):
        yield Finding("postcode", m.group(), m.start(), m.end())
    for m in _VRM_CURRENT.finditer(text):
        yield Finding("vehicle", m.group(), m.start(), m.end())
    for m in _VRM_OLD.finditer(text):
        letters = re.sub(r"[\d\s]", "", m.group()).lower()
        if letters not in _VRM_STOP and (" " not in m.group() or m.group().isupper()):
            yield Finding("vehicle", m.group(), m.start(), m.end())
    for m in _VRM_CUE.finditer(text):
        if any(ch.isdigit() for ch in m.group(1)):
            yield Finding("vehicle", m.group(1), m.start(1), m.end(1))
    for m in _ADDRESS.finditer(text):
        middle = [w.lower() for w in m.group(1).split()]
        if not any(w in _STOP for w in middle):
            yield Finding("address", m.group(), m.start(), m.end())
    for m in _FLAT.finditer(text):
        yield Finding("address", m.group(), m.start(), m.end())
    for pattern in _DOB_PATTERNS:
        for m in pattern.finditer(text):
            if not _TWO_DIGIT_RECENT.search(m.group()):
                yield Finding("dob", m.group(), m.start(), m.end())
    for m in _DOB_CUE.finditer(text):
        value = m.group(1).rstrip(" ,.-/")
        if value:
            yield Finding("dob", value, m.start(1), m.start(1) + len(value))


def _phone_findings(text: str) -> Iterator[Finding]:
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
        yield Finding("phone", match.raw_string, match.start, match.end)
    for m in _PHONE.finditer(text):
        value = m.group().rstrip()
        yield Finding("phone", value, m.start(), m.start() + len(value))


def _name_findings(text: str, lowered: str) -> Iterator[Finding]:
    """Names a resident typed: titles, given names, surnames, "Surname, Forename", scripts."""
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    places = list(_places().find(lowered))

    def gap(i: int) -> str:
        return text[tokens[i][2] : tokens[i + 1][1]] if i + 1 < len(tokens) else ""

    def joined(i: int) -> bool:
        return i + 1 < len(tokens) and gap(i).strip(" .") == ""

    def namelike(i: int, *, capitalised_only: bool) -> bool:
        word = tokens[i][0]
        low = _norm(word)
        if low in _STOP or low in _TITLE_WORDS:
            return False
        if low in _PLACE_WORDS:
            return low in _lexicon("surnames.txt")  # "John Hill", not "John Street"
        if _surname(low, word) or _given(low) or _non_latin(word):
            return True
        return _is_capitalised(word) if capitalised_only else True

    def extend(i: int, *, capitalised_only: bool, limit: int = 3) -> int:
        """Index after the last word of the name starting at ``i``."""
        end = i + 1
        while end < len(tokens) and end - i <= limit and joined(end - 1):
            low = _norm(tokens[end][0])
            if low in _PARTICLES and end + 1 < len(tokens) and joined(end):
                end += 1
                continue
            if not namelike(end, capitalised_only=capitalised_only):
                break
            end += 1
        return end

    def is_place(i: int, end: int) -> bool:
        possessive = tokens[end - 1][0].lower().replace("’", "'").endswith("'s")
        if end < len(tokens) and joined(end - 1) and _norm(tokens[end][0]) in _PLACE_WORDS and not possessive:
            return True
        if i > 0 and _norm(tokens[i - 1][0]) in {"st", "saint", "st."}:
            return True
        start, stop = tokens[i][1], tokens[end - 1][2]
        return any(p_start <= start and stop <= p_stop for p_start, p_stop in places)

    def span(i: int, end: int) -> Finding:
        start, stop = tokens[i][1], tokens[end - 1][2]
        return Finding("person", text[start:stop], start, stop)

    i = 0
    while i < len(tokens):
        word = tokens[i][0]
        low = _norm(word)
        caps = _is_capitalised(word)
        lower_text = word.islower()
        if low in _TITLE_WORDS and joined(i) and namelike(i + 1, capitalised_only=False):
            end = extend(i + 1, capitalised_only=not lower_text and caps and not word.isupper(), limit=2)
            yield span(i + 1, end)
            i = end
            continue
        if _non_latin(word):
            end = i + 1
            while end < len(tokens) and joined(end - 1) and _non_latin(tokens[end][0]):
                end += 1
            yield span(i, end)
            i = end
            continue
        if low in _CUE_WORDS and joined(i) and namelike(i + 1, capitalised_only=False):
            end = extend(i + 1, capitalised_only=_is_capitalised(tokens[i + 1][0]), limit=2)
            if not is_place(i + 1, end):
                yield span(i + 1, end)
                i = end
                continue
        given = _given(low)
        surname = _surname(low, word)
        if (given or surname) and low not in _STOP and low not in _PLACE_WORDS:
            capitalised_only = caps and not word.isupper()
            end = extend(i, capitalised_only=capitalised_only)
            start = i
            # "Smith, John": the surname before a comma belongs to the name.
            if (
                given
                and i > 0
                and gap(i - 1).strip() == ","
                and namelike(i - 1, capitalised_only=capitalised_only)
            ):
                start = i - 1
            # "Hollie-Mae Butterworth": a capitalised word just before a surname is part of the name.
            if (
                start == i
                and surname
                and i > 0
                and joined(i - 1)
                and capitalised_only
                and namelike(i - 1, capitalised_only=True)
            ):
                start = i - 1
            several = end - start > 1
            ambiguous = low in _AMBIGUOUS and not several
            if all(_norm(tokens[k][0]) in _AMBIGUOUS for k in range(start, end)):
                ambiguous = True  # "Rose Hill", "Will Power": everyday words, not a person
            if not ambiguous and not is_place(start, end):
                yield span(start, end)
                i = end
                continue
        if caps and _POLISH_LETTERS.search(word) and not is_place(i, i + 1):
            yield span(i, i + 1)
        i += 1
    for m in _NAME_IS.finditer(text):
        yield Finding("person", m.group(1), m.start(1), m.end(1))


class Scanner:
    """The detector built once over the names a vault holds: scanning a text is one pass over it.

    Building costs a pass over every name (an Aho-Corasick automaton); scanning then costs the
    length of the text whatever the number of names. Build one per public output, or one per batch
    (:func:`scanner` keeps one on the session), never one per text.
    """

    #: Texts scanned lately and what was found: a batch meets the same wording many times (a standard
    #: action, a panel's reason), and the answer depends only on the text and the names built in.
    _REMEMBERED = 2048

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names = _Phrases(n.strip() for n in names if len(n.strip()) >= 4)
        self._seen: dict[tuple[str, tuple[str, ...]], tuple[Finding, ...]] = {}

    def scan(self, text: str, *, allow: Iterable[str] = ()) -> list[Finding]:
        """Everything in ``text`` that looks like personal data, in order of appearance.

        Held names match in any case and form. ``allow`` lists strings that may appear (a team mailbox
        or switchboard printed on purpose). Overlapping findings are merged, so a mask always covers a
        whole name, never half of one.
        """
        key = (text, tuple(allow))
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) >= self._REMEMBERED:
                self._seen.clear()
            found = self._seen[key] = tuple(self._scan(text, key[1]))
        return list(found)

    def _scan(self, text: str, allow: tuple[str, ...]) -> list[Finding]:
        allowed = [a.strip().casefold() for a in allow if a.strip()]
        lowered = _lower_same_length(text)
        found: list[Finding] = []
        for start, stop in self._names.find(lowered):
            title = _LEADING_TITLE.match(lowered, start, stop)
            if title:  # "Mrs [name removed]": the title stays, as for names the vault does not hold
                start = title.end()
            found.append(Finding("name", text[start:stop], start, stop))
        found.extend(_pattern_findings(text))
        found.extend(_phone_findings(text))
        found.extend(_name_findings(text, lowered))
        kept = []
        for finding in found:
            value = finding.text.strip().casefold()
            if finding.kind == "phone" and re.sub(r"\D", "", value) in _ALLOWED_NUMBERS:
                continue
            if any(value == a or value in a for a in allowed):
                continue
            kept.append(finding)
        return _merge(text, kept)

    def suggest(self, text: str) -> str:
        """The masked draft the app offers an officer to approve (never approved on its own)."""
        return mask(text, self.scan(text))


@functools.lru_cache(maxsize=8)
def _scanner_of(names: frozenset[str]) -> Scanner:
    return Scanner(names)


def scan(text: str, names: Iterable[str] = (), *, allow: Iterable[str] = ()) -> list[Finding]:
    """:meth:`Scanner.scan` for a one-off text; anything scanning many texts builds a :class:`Scanner`."""
    return _scanner_of(frozenset(names)).scan(text, allow=allow)


def _merge(text: str, findings: list[Finding]) -> list[Finding]:
    findings.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in findings:
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            if finding.end > last.end:
                merged[-1] = Finding(last.kind, text[last.start : finding.end], last.start, finding.end)
            continue
        merged.append(finding)
    return merged


def mask(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding replaced by a neutral placeholder: the suggested public draft."""
    out, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[last : finding.start])
        out.append(PLACEHOLDERS[finding.kind])
        last = finding.end
    out.append(text[last:])
    return "".join(out)


def suggest(text: str, names: Iterable[str] = ()) -> str:
    """The masked draft the app offers an officer to approve (never approved on its own)."""
    return _scanner_of(frozenset(names)).suggest(text)


_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def name_forms(full_name: str) -> set[str]:
    """Ways a held name is written: in full, "Mrs Surname", "Surname, Forename", "F. Surname"."""
    parts = full_name.split()
    forms = {full_name}
    if len(parts) > 1:
        forms.update(f"{title} {parts[-1]}" for title in _TITLES)
        forms.add(f"{parts[-1]}, {parts[0]}")
        forms.add(f"{parts[-1]} {parts[0]}")
        forms.add(f"{parts[0][0]}. {parts[-1]}")
        forms.add(f"{parts[0][0]} {parts[-1]}")
    return forms


def erasure_forms(full_name: str) -> set[str]:
    """What a purge masks in officers' notes: :func:`name_forms`, and the bare surname ("Kerrigan rang
    back") when it can only be a name.

    A leaflet check cannot refuse on a bare surname ("Hall" would stop every leaflet about a church
    hall), but an erasure must not leave "rang Kerrigan" behind. A surname that is also an everyday or
    place word ("Hall", "Green", "Mills") is still masked only beside a title or a given name.
    """
    forms = name_forms(full_name)
    parts = full_name.split()
    if len(parts) > 1:
        surname = parts[-1].strip(".,")
        low = surname.casefold()
        if len(low) >= 3 and low not in _AMBIGUOUS and low not in _STOP and low not in _PLACE_WORDS:
            forms.add(surname)
    return forms


def protected_names(session: Session) -> list[str]:
    """Members of the public the vault holds, in every form they are written.

    Bare surnames are not matched: "Hall" or "Park" would refuse every leaflet about a church hall.
    Within a bulk unit of work (``changes.bulk``) the list is worked out once until people change.
    """
    from commmatters_desktop.core.changes import cached

    return cached(session, "protected_names", frozenset({Person.__tablename__}), lambda: _names_held(session))


def _full_names(session: Session) -> frozenset[str]:
    """The full names of the members of the public the vault holds (one column of one table, read
    without building ORM rows: every unit of work that scans reads it to know whether they changed)."""
    if session.autoflush:
        session.flush()  # what the query would autoflush: a person added moments ago is held too
    query = select(Person.full_name).where(Person.deleted.is_(False), Person.role.in_(PUBLIC_ROLES))
    return frozenset(session.connection().execute(query).scalars())


def _forms(full_names: Iterable[str]) -> list[str]:
    names: set[str] = set()
    for full_name in full_names:
        names.update(name_forms(full_name))
    return sorted(names)


def _names_held(session: Session) -> list[str]:
    return _forms(_full_names(session))


_SCANNER_KEY = "privacy_scanner"
#: The last scanner built for each open vault (by its engine), with the full names it was built from:
#: a unit of work that finds the same names reuses it instead of building the automaton again.
_BUILT: weakref.WeakKeyDictionary[Any, tuple[frozenset[str], Scanner]] = weakref.WeakKeyDictionary()


def scanner(session: Session) -> Scanner:
    """The detector over the vault's names: built once, reused until the names change.

    Within a session it is kept (once per output or batch), and a flush that adds, changes or removes
    a person drops it, so a name added in the same unit of work is never missed. A new session reads
    the names held (one column: linear in the names, cheap) and reuses the automaton built for the
    same names by an earlier unit of work, whichever process or laptop changed them since: it is
    rebuilt only when a person was added, renamed, given another role, deleted or purged.
    """
    built = session.info.get(_SCANNER_KEY)
    if isinstance(built, Scanner):
        return built
    from commmatters_desktop.core.changes import cached

    names = cached(session, "full_names", frozenset({Person.__tablename__}), lambda: _full_names(session))
    bind = session.get_bind()
    last = _BUILT.get(bind)
    if last is not None and last[0] == names:
        built = last[1]
    else:
        built = Scanner(_forms(names))
        _BUILT[bind] = (names, built)
    session.info[_SCANNER_KEY] = built
    return built


def forget_built(bind: Any) -> None:
    """Drop the scanner kept for a vault that closes (a closed or locked vault leaves no names in memory)."""
    _BUILT.pop(bind, None)


def share(session: Session, built: Scanner) -> None:
    """Give ``session`` a scanner built in an earlier one: a batch builds it once for all its sessions."""
    session.info[_SCANNER_KEY] = built


@event.listens_for(Session, "after_flush")
def _people_changed(session: Session, context: object) -> None:
    from commmatters_desktop.core.changes import in_bulk

    if in_bulk(session):
        return  # a bulk unit says which tables its change log noted (below), flushed or not
    if _SCANNER_KEY in session.info and any(
        isinstance(o, Person) for o in (*session.new, *session.dirty, *session.deleted)
    ):
        del session.info[_SCANNER_KEY]


def _people_noted(session: Session, tables: set[str]) -> None:
    if Person.__tablename__ in tables:
        session.info.pop(_SCANNER_KEY, None)


def _listen() -> None:
    from commmatters_desktop.core.changes import on_bulk_change

    on_bulk_change(_people_noted)


_listen()
