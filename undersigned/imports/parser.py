"""Read a signatory list as people circulate it: numbered or bulleted lines pasted from a
document, with the usual damage (gaps and restarts in the numbering, two entries on one line,
acronyms after a dash or in parentheses, people among organizations, the same body twice).

`parse_text` never raises on any text: what it cannot read becomes a note, and every numbered
entry it meets is kept. What to import is the owner's decision, made on the preview.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from undersigned.core.countries import country_code, fold
from undersigned.signatures.dedupe import Candidate, pairs_within

ORGANIZATION = "organization"
INDIVIDUAL = "individual"
MAX_LINE_CHARS = 600
MAX_ENTRIES = 5000

# A number opening an entry: "12.", "12)", "(12)", "12 -", "12:", "#12", or "12" then a tab.
_NUMBER = re.compile(
    r"^\s*(?:\(\s*(\d{1,5})\s*\)|#\s*(\d{1,5})\b|(\d{1,5})\s*[.)\-–—:](?!\d)|(\d{1,5})(?=\t))\s*"
)
_BARE_NUMBER = re.compile(r"^(\d{1,5})\s+(?=[^\W\d])")
_BULLET = re.compile(r"^\s*[-•*·◦▪‣–—]\s+")
_ACRONYM_CHARS = re.compile(r"^[A-Za-z0-9&.'\-]{2,12}$")

# Words that make a name an organization's, in the platform's languages (folded: no accents).
ORGANIZATION_WORDS = {
    "association", "associations", "union", "unions", "network", "networks", "federation",
    "league", "council", "committee", "center", "centre", "institute", "foundation", "society",
    "coalition", "alliance", "movement", "forum", "collective", "club", "cooperative", "trust",
    "group", "organisation", "organization", "campaign", "platform", "observatory", "initiative",
    "project", "fund", "church", "school", "university", "college", "press", "media", "radio",
    "party", "syndicate", "confederation", "ngo", "friends", "library", "libraries", "museum",
    "commission", "agency", "office", "assembly", "municipality", "city", "town", "chamber",
    "circle", "cercle", "circulo", "workshop", "atelier", "taller", "house", "maison", "casa",
    "kitchen", "cafe", "theatre", "theater", "teatro", "band", "choir", "team", "lab",
    "reseau", "syndicat", "ligue", "comite", "conseil", "fondation", "societe", "collectif",
    "mouvement", "observatoire", "institut", "ong", "asbl", "amis", "bibliotheque", "mairie",
    "ville", "commune", "federacion", "asociacion", "sindicato", "red", "liga",
    "consejo", "fundacion", "sociedad", "colectivo", "movimiento", "observatorio",
    "instituto", "centro", "plataforma", "coordinadora", "biblioteca", "ayuntamiento",
    "municipalidad", "amigos", "جمعية", "الجمعية", "منظمة", "المنظمة", "اتحاد", "الاتحاد",
    "نقابة", "النقابة", "مركز", "المركز", "مؤسسة", "شبكة", "الشبكة", "رابطة", "الرابطة", "المرصد",
    "مرصد", "هيئة", "لجنة", "اللجنة", "مجلس", "نادي", "تجمع", "حركة", "تنسيقية", "ائتلاف",
    "مكتبة", "بلدية", "أصدقاء", "منتدى", "المنتدى", "جامعة",
    # Plurals and more kinds of body, in the four languages.
    "charity", "charities", "international", "internacional", "internationale", "committees",
    "councils", "centers", "centres", "foundations", "federations", "leagues", "alliances",
    "cooperatives", "cooperativa", "cooperativas", "confederacion",
    "confederations", "solidarity", "solidarite", "solidaridad", "rights", "droits",
    "derechos", "watch", "action", "accion", "aid", "relief", "services", "partners",
    "partnership", "consortium", "academy", "academie", "academia", "hospital", "clinic",
    "clinique", "clinica", "studio", "publishing", "editions", "ediciones", "company",
    "volunteers", "benevoles", "voluntarios", "comites", "fundaciones", "asociaciones",
    "sindicatos", "sindical", "redes", "ligues", "reseaux", "collectifs", "colectivos",
    "observatorios", "federaciones", "mouvements", "movimientos", "syndicats",
    # Arabic organization words as they are transliterated in Latin letters.
    "jamiya", "jamiyat", "jamiat", "jameya", "jamaia", "jamaiya", "markaz", "muassasa",
    "muassasat", "mouassasa", "rabita", "rabitat", "ittihad", "itihad", "majlis", "lajna",
    "lajnat", "shabaka", "shabakat", "nadi", "haraka", "harakat", "multaqa", "tajammu",
    "munazzama", "munazzamat", "mounadhama", "hayat", "hayaa",
    # And in Arabic script, more of them.
    "جمعيات", "منظمات", "مؤسسات", "شبكات", "تحالف", "التحالف", "اتحادات", "هيئات", "الهيئة",
    "مبادرة", "حملة", "دار", "معهد", "أكاديمية", "مستشفى", "ملتقى", "مجموعة",
}  # fmt: skip
# Organization words long enough to be recognized with a typo ("Assocation").
_TYPO_AT = 85
_TYPO_MIN_LETTERS = 6
# Given names written in Arabic script (the Latin-script ones come from gender-guesser's list).
ARABIC_GIVEN_NAMES = {
    "محمد", "أحمد", "احمد", "محمود", "مصطفى", "علي", "عمر", "خالد", "يوسف", "إبراهيم", "ابراهيم",
    "حسن", "حسين", "سعيد", "كريم", "رامي", "سامي", "طارق", "وليد", "زياد", "نبيل", "جمال",
    "هشام", "عماد", "ياسر", "باسل", "فادي", "رشيد", "عبد", "عبدالله", "عبدالرحمن", "سليم",
    "منير", "نادر", "ماهر", "بشير", "جميل", "فؤاد", "مروان", "أيمن", "ايمن", "هاني", "عادل",
    "فاطمة", "عائشة", "مريم", "خديجة", "زينب", "ليلى", "سلمى", "نور", "هدى", "أمل", "امل",
    "رنا", "لينا", "دينا", "سارة", "ريم", "منى", "هالة", "نادية", "سميرة", "جميلة", "رحاب",
    "سعاد", "وفاء", "إيمان", "ايمان", "أسماء", "اسماء", "هبة", "رشا", "دعاء", "نجلاء",
    "ياسمين", "لبنى", "غادة", "سهى", "عبير", "حنان", "رولا", "مي", "ندى", "شيماء",
}  # fmt: skip
TITLES = {"dr", "prof", "mr", "mrs", "ms", "mme", "m", "mlle", "sr", "sra", "dra", "pr", "د", "أ"}
NAME_PARTICLES = {
    "de", "del", "la", "le", "van", "von", "der", "da", "di", "du", "al", "el", "ben", "bin",
    "ibn", "bint", "y", "abu", "abou", "ould", "bou",
}  # fmt: skip
ORGANIZATION_HEADINGS = {
    "organizations", "organisations", "organismes", "organizaciones", "associations", "ngos",
    "ong", "المنظمات", "منظمات", "الجمعيات", "الهيئات", "organizational signatories",
    "signing organizations", "organisations signataires", "organizaciones firmantes",
}  # fmt: skip
INDIVIDUAL_HEADINGS = {
    "individuals", "individual signatories", "individual", "personnes", "particuliers",
    "individus", "signataires individuels", "personnalites", "individuos", "personas",
    "firmas individuales", "أفراد", "الأفراد", "شخصيات", "الشخصيات",
}  # fmt: skip
OTHER_HEADINGS = {
    "signatories", "signed by", "signataires", "firmantes", "firmas", "list of signatories",
    "liste des signataires", "lista de firmantes", "الموقعون", "الموقعين", "قائمة الموقعين",
}  # fmt: skip


@dataclass
class Note:
    """Something the owner should look at. `code`: gap, restart, out_of_order, two_on_line,
    person, duplicate, no_name, long_line, not_a_name."""

    code: str
    line: int
    after: int | None = None  # the number before a gap or restart
    number: int | None = None
    other: int | None = None  # index of the entry this one may duplicate

    def message(self, entries: list[Entry] | None = None) -> str:
        # Where the owner finds it: the entry's own number in the list when it has one (a row
        # numbered 5 on line 7 is "no. 5", not "line 7"), the line otherwise.
        numbered = next(
            (e for e in entries or [] if e.line == self.line and e.source_number is not None),
            None,
        )
        if numbered is not None:
            where = _("no. %(n)d (line %(line)d)") % {
                "n": numbered.source_number,
                "line": self.line,
            }
        else:
            where = _("line %(line)d") % {"line": self.line}
        if self.code == "gap":
            text = _("numbering gap after %(n)d") % {"n": self.after}
        elif self.code == "restart":
            text = _("numbering restarts after %(n)d") % {"n": self.after}
        elif self.code == "out_of_order":
            text = _("number %(n)d comes after %(m)d") % {"n": self.number, "m": self.after}
        elif self.code == "two_on_line":
            text = _("two entries on one line")
        elif self.code == "person":
            text = _("looks like a person")
        elif self.code == "duplicate":
            other = entries[self.other] if entries and self.other is not None else None
            label = other.source_number if other and other.source_number else (self.other or 0) + 1
            text = _("possible duplicate of #%(n)s") % {"n": label}
        elif self.code == "no_name":
            text = _("number %(n)d has no name") % {"n": self.number}
        elif self.code == "long_line":
            text = _("line too long to be a name")
        else:
            text = _("not a name")
        return f"{where}: {text}"


@dataclass
class Entry:
    name: str
    acronym: str | None = None
    kind: str = ORGANIZATION
    source_number: int | None = None
    country: str | None = None
    affiliation: str = ""
    line: int = 0
    notes: list[Note] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "acronym": self.acronym,
            "kind": self.kind,
            "source_number": self.source_number,
            "country": self.country,
        }


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    possible_duplicates: list[tuple[int, int]] = field(default_factory=list)
    encoding: str = ""
    # Set when the list holds more entries than the parse was allowed to read (it stopped
    # there, before any duplicate search): the list is refused as too long.
    over_limit: int | None = None

    def add(self, entry: Entry, *, limit: int) -> bool:
        """Add an entry; False (and nothing added) once `limit` entries are in."""
        if len(self.entries) >= limit:
            self.over_limit = limit
            return False
        self.notes.extend(entry.notes)
        self.entries.append(entry)
        return True

    def finish(self) -> Parsed:
        """Look for duplicates (only in a list within the limit) and order the notes."""
        if self.over_limit is None:
            find_duplicates(self)
        self.notes.sort(key=lambda note: note.line)
        return self

    def warnings(self) -> list[str]:
        return [note.message(self.entries) for note in self.notes]

    def as_json(self) -> dict:
        return {
            "entries": [e.as_json() for e in self.entries],
            "possible_duplicates": [list(pair) for pair in self.possible_duplicates],
            "warnings": self.warnings(),
            "encoding": self.encoding or None,
        }


def _clean(text: str) -> str:
    """One line of printable text, spaces collapsed, list punctuation trimmed."""
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d" else ch
        for ch in text
    )
    return " ".join(text.split()).strip(" ,;.·")


def looks_like_acronym(text: str) -> bool:
    if not _ACRONYM_CHARS.match(text):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    upper = sum(ch.isupper() for ch in letters)
    return len(letters) >= 2 and upper >= 2 and upper >= 0.6 * len(letters)


def split_name(raw: str) -> tuple[str, str | None, str | None]:
    """(name, acronym, country code) from "Name (ACR), Country", "ACR – Name", "Name - ACR"…"""
    name, acronym, country = _clean(raw), None, None
    for _round in range(2):
        if country is None:
            name, country = _take_country(name)
        if acronym is None:
            name, acronym = _take_acronym(name)
    return name, acronym, country


def _take_country(name: str) -> tuple[str, str | None]:
    match = re.search(r"\s*\(([^()]{2,60})\)$", name) or re.search(
        r"\s*(?:[,،]|\s[-–—/]|[–—])\s*([^,،\-–—()]{2,60})$", name
    )
    if match and match.start() > 0:
        code = country_code(match.group(1))
        if code:
            return _clean(name[: match.start()]), code
    return name, None


def _take_acronym(name: str) -> tuple[str, str | None]:
    for pattern in (
        r"\s*\(([^()\s]{2,14})\)$",
        r"\s+[-–—]\s*(\S{2,14})$",
        r"\s*[–—]\s*(\S{2,14})$",
    ):
        match = re.search(pattern, name)
        if match and match.start() > 0 and looks_like_acronym(match.group(1).strip(".")):
            return _clean(name[: match.start()]), match.group(1).strip(".")
    match = re.search(r"\s*\(([\u0600-\u06ff]{2,6})\)$", name)  # an Arabic acronym: (شعق)
    if match and match.start() > 0 and _is_arabic(match.group(1)):
        return _clean(name[: match.start()]), match.group(1)
    match = re.match(r"^(\S{2,14})\s*(?:[–—:]|\s-)\s*(.{3,})$", name)
    if match and looks_like_acronym(match.group(1)) and " " in match.group(2).strip():
        return _clean(match.group(2)), match.group(1)
    match = re.search(r",\s*(\S{2,14})$", name)
    if match and looks_like_acronym(match.group(1)):
        return _clean(name[: match.start()]), match.group(1)
    return name, None


def _words(text: str) -> list[str]:
    return fold(text).split()


_LONG_ORGANIZATION_WORDS = sorted(w for w in ORGANIZATION_WORDS if len(w) >= _TYPO_MIN_LETTERS)


@lru_cache(maxsize=8192)
def _is_organization_word(word: str) -> bool:
    """An organization word, or one of the longer ones with a typo (rapidfuzz ratio)."""
    if word in ORGANIZATION_WORDS:
        return True
    if len(word) < _TYPO_MIN_LETTERS:
        return False
    for prefix in ("al-", "el-", "al", "ال"):  # "Al-Jamiya", "الجمعيات"
        if word.startswith(prefix) and word[len(prefix) :] in ORGANIZATION_WORDS:
            return True
    match = process.extractOne(
        word, _LONG_ORGANIZATION_WORDS, scorer=fuzz.ratio, score_cutoff=_TYPO_AT
    )
    return match is not None


def _has_organization_word(text: str) -> bool:
    return any(_is_organization_word(word.strip("'’-")) for word in _words(text))


@lru_cache(maxsize=1)
def _given_names():
    import gender_guesser.detector

    return gender_guesser.detector.Detector(case_sensitive=False)


@lru_cache(maxsize=1)
def _arabic_given_names() -> frozenset[str]:
    return frozenset(ARABIC_GIVEN_NAMES) | {fold(name) for name in ARABIC_GIVEN_NAMES}


def _is_given_name(word: str) -> bool:
    if _is_arabic(word):
        return word in _arabic_given_names() or fold(word) in _arabic_given_names()
    first = word.split("-")[0]  # Jean-Pierre
    return _given_names().get_gender(first) != "unknown"


def looks_like_person(name: str) -> bool:
    """A person only on positive evidence: a title (Dr., Mme, د.), a known given name first,
    or a lower-case particle between capitalized words ("Pedro de Alcântara"), in a name of two
    to four capitalized (or Arabic) words. An organization word in any of the four languages,
    in any position and with a small typo, always wins: an organization wrongly listed as a
    person is worse than the reverse, which the owner sees flagged."""
    if _has_organization_word(name) or any(ch.isdigit() for ch in name):
        return False
    raw = name.replace(".", ". ").split()
    titled = bool(raw) and fold(raw[0]).rstrip(".") in TITLES
    if titled:
        raw = raw[1:]
    particle = any(
        token in NAME_PARTICLES and 0 < i < len(raw) - 1 and raw[i - 1][:1].isupper()
        for i, token in enumerate(raw)
    )
    tokens = [t for t in raw if fold(t) not in NAME_PARTICLES]
    if not tokens or len(tokens) > (5 if titled else 4) or (len(tokens) < 2 and not titled):
        return False
    for token in tokens:
        letters = token.replace("-", "").replace("'", "").replace("’", "")
        if not letters.isalpha():
            return False
        if _is_arabic(letters):
            continue
        if not token[0].isupper() or (len(letters) > 3 and letters.isupper()):
            return False
    return titled or particle or _is_given_name(tokens[0].rstrip("'’"))


def _is_arabic(text: str) -> bool:
    return all("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)


_ALL_HEADINGS = ORGANIZATION_HEADINGS | INDIVIDUAL_HEADINGS | OTHER_HEADINGS
# What follows a heading's words: "Signatories (as of 12 March)", "Signatories – updated 3 May".
_HEADING_TAIL = re.compile(
    r"\s*(?:[(\[].*|[-–—:]\s*)?(?:\b(?:as of|as at|updated|au|a la date du|hasta|al|a fecha de)\b.*"
    r"|حتى.*|بتاريخ.*)?$"
)


def _heading(text: str) -> str | None:
    """'organization' or 'individual' for a section heading, '' for another heading, None
    for a line that is not one."""
    key = fold(text.rstrip(":：").strip())
    bare = fold(_HEADING_TAIL.sub("", re.sub(r"\s*[(\[][^)\]]*[)\]]", "", text)).strip(" :：-–—"))
    if bare != key and bare in _ALL_HEADINGS:
        key = bare
    if not key:
        return None
    if key in ORGANIZATION_HEADINGS:
        return ORGANIZATION
    if key in INDIVIDUAL_HEADINGS:
        return INDIVIDUAL
    if key in OTHER_HEADINGS:
        return ""
    if text.rstrip().endswith((":", "：")) and len(key.split()) <= 6:
        words = set(key.split())
        if words & {fold(w) for w in ORGANIZATION_HEADINGS}:
            return ORGANIZATION
        if words & {fold(w) for w in INDIVIDUAL_HEADINGS}:
            return INDIVIDUAL
        return ""
    return None


def _number_at_start(line: str) -> tuple[int | None, str]:
    match = _NUMBER.match(line)
    if match:
        digits = next(g for g in match.groups() if g is not None)
        return int(digits), line[match.end() :]
    bullet = _BULLET.match(line)
    return None, line[bullet.end() :] if bullet else line


def _split_inline(number: int | None, rest: str) -> list[tuple[int | None, str]]:
    """'Org A 5. Org B 6) Org C' after number 4: the entries sharing one line."""
    parts: list[tuple[int | None, str]] = []
    current = number
    while current is not None:
        following = current + 1
        match = re.search(rf"(?:(?<=\s)|(?<=[,;]))\(?{following}\s*[.)](?!\d)\s*", rest)
        if not match:
            break
        parts.append((current, rest[: match.start()]))
        current, rest = following, rest[match.end() :]
    parts.append((current, rest))
    return parts


# A comma before "and" is inside a name ("Peace, Justice, and Democracy Institute").
_COMMA_AND = re.compile(r"[,،]\s*(?:and|&|y|et|e|و)(?=\s|$)|،\s*و", re.IGNORECASE)


def _split_semicolons(text: str) -> list[str]:
    """'A ; B' holds two entries: a semicolon never belongs in an organization's name."""
    parts = [part for part in re.split(r"\s*[;؛]\s*", text)]
    if len(parts) > 1 and all(any(ch.isalpha() for ch in part) for part in parts):
        return parts
    return [text]


def entry_from(raw: str, *, number: int | None, line: int, section: str | None) -> Entry:
    name, acronym, country = split_name(raw)
    entry = Entry(name=name, acronym=acronym, country=country, source_number=number, line=line)
    head, _sep, tail = ("", "", "") if _COMMA_AND.search(name) else name.partition(",")
    if section == INDIVIDUAL:
        entry.kind = INDIVIDUAL
    elif acronym is None and looks_like_person(name):
        entry.kind = INDIVIDUAL
    elif acronym is None and tail.strip() and looks_like_person(head):
        entry.kind = INDIVIDUAL
    if entry.kind == INDIVIDUAL and tail.strip() and looks_like_person(head):
        entry.name, entry.affiliation = _clean(head), _clean(tail)
    if entry.kind == INDIVIDUAL and section != INDIVIDUAL:
        entry.notes.append(Note("person", line))
    return entry


def parse_text(text: str, *, max_entries: int = MAX_ENTRIES) -> Parsed:
    """Every entry of a pasted list (at most `max_entries`), with notes on what looks wrong.
    Never raises."""
    parsed = Parsed()
    section: str | None = None
    previous: int | None = None
    for line_no, raw_line in enumerate(str(text).splitlines(), start=1):
        if parsed.over_limit is not None:
            break
        if len(raw_line) > MAX_LINE_CHARS:
            parsed.notes.append(Note("long_line", line_no))
            continue
        line = raw_line.strip()
        if not line:
            continue
        number, rest = _number_at_start(line)
        bare = _BARE_NUMBER.match(line) if number is None and previous is not None else None
        if bare and int(bare.group(1)) == previous + 1:
            # "4 Name" right after 3: the numbering lost its dot in copying.
            number, rest = int(bare.group(1)), line[bare.end() :]
        if number is None:
            heading = _heading(line)
            if heading is not None:
                section = heading or section
                continue
        pieces = [
            (n if i == 0 else None, part)
            for n, piece in _split_inline(number, rest)
            for i, part in enumerate(_split_semicolons(piece))
        ]
        if len(pieces) > 1:
            parsed.notes.append(Note("two_on_line", line_no))
        for piece_number, piece in pieces:
            if piece_number is not None:
                previous = _check_numbering(parsed, previous, piece_number, line_no)
            if not any(ch.isalpha() for ch in piece):
                if piece_number is not None:
                    parsed.notes.append(Note("no_name", line_no, number=piece_number))
                continue
            entry = entry_from(piece, number=piece_number, line=line_no, section=section)
            if not parsed.add(entry, limit=max_entries):
                break
    return parsed.finish()


def _check_numbering(parsed: Parsed, previous: int | None, number: int, line: int) -> int:
    if previous is not None:
        if number == 1 and previous >= 1:
            parsed.notes.append(Note("restart", line, after=previous))
        elif number > previous + 1:
            parsed.notes.append(Note("gap", line, after=previous))
        elif number <= previous:
            parsed.notes.append(Note("out_of_order", line, after=previous, number=number))
    return number


def find_duplicates(parsed: Parsed) -> None:
    """Note every pair of organizations in the list that are probably one."""
    organizations = [
        Candidate(ref=i, name=e.name, acronym=e.acronym or "", country=e.country or "")
        for i, e in enumerate(parsed.entries)
        if e.kind == ORGANIZATION
    ]
    for first, second, _match in pairs_within(organizations):
        parsed.possible_duplicates.append((first, second))
        entry = parsed.entries[second]
        note = Note("duplicate", entry.line, other=first)
        entry.notes.append(note)
        parsed.notes.append(note)
