"""`unsourced_figure`: a count of people or victims, a percentage or an amount of money, in a
sentence that says nowhere where it comes from. A source is a phrase such as "according to"
(or its Arabic, French and Spanish forms), a link, or a footnote marker in the same sentence.
Years, dates, times, ages, reference codes, phone numbers, article numbers and numbers inside
links are not figures."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from undersigned.textchecks.document import Document
from undersigned.textchecks.figures import Figure, fold, latin_digits
from undersigned.textchecks.findings import Finding, excerpt

ATTRIBUTION = re.compile(
    r"according\s+to|reported\s+by|as\s+reported|reports?\s+by|source\s*:|sources\s*:|"
    r"data\s+from|figures\s+from|estimates?\s+(?:by|of)|\bcited\s+by|published\s+by|"
    r"selon|d['’]apr[eè]s|source\s*:|rapport(?:é|e)s?\s+par|de\s+source|"
    r"seg[uú]n|de\s+acuerdo\s+con|fuente\s*:|informad[oa]s?\s+por|datos\s+de|"
    r"\b(?:say|says|said|report|reports|reported|states|stated|estimates|estimated|shows|showed|found)\b|"
    r"\b(?:indique|rapporte|affirme|estime|montre|signale)\b|"
    r"\b(?:informa|indica|afirma|estima|muestra|señala)\b|"
    r"وفقا|وفقاً|وفق|بحسب|حسب|نقلا\s+عن|نقلاً\s+عن|المصدر\s*:|أفاد|افاد|ذكر(?:ت)?|أعلن(?:ت)?|"
    r"أشار(?:ت)?|قال(?:ت)?|يقول|تقول|تقرير",
    re.I,
)
FOOTNOTE = re.compile(r"\[\^?\w{1,4}\]|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\(\d{1,2}\)(?=\s*[.,;]|\s*$)")

PERCENT = re.compile(
    r"^\s*(?:%|٪|per\s*cent|percent|pour\s*cent|por\s*ciento|بالمئة|بالمائة|في\s*المئة|في\s*المائة)",
    re.I,
)
CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹]|US\$|USD|EUR|GBP|CHF)\s*$", re.I)
SCALE = (
    r"(?:million|millions|billion|billions|milliard|milliards|mil\s+millones|millones|"
    r"مليون|ملايين|مليار|مليارات|ألف|آلاف|thousand)"
)
CURRENCY_AFTER = re.compile(
    rf"^\s*(?:{SCALE}\s+)?(?:(?:de|d['’]|of)\s+)?(?:dollars?|euros?|pounds?|francs?|dinars?|dirhams?|"
    r"d[oó]lares|libras|pesos|€|\$|USD|EUR|دولار|دولارات|يورو|جنيه|دينار|درهم|ريال|ليرة)",
    re.I,
)
# Words that name people or victims (folded, in the four languages): a figure followed by one
# of them within a few words is a count of people.
PEOPLE = {
    "en": "people persons person civilians civilian children child kids women men workers "
    "families refugees migrants detainees prisoners journalists students residents victims "
    "dead deaths killed injured wounded displaced arrested missing households patients "
    "protesters fatalities casualties lives inhabitants employees teachers doctors nurses "
    "volunteers farmers fishermen",
    "fr": "personnes civils enfants femmes hommes travailleurs familles refugies migrants "
    "detenus prisonniers journalistes etudiants habitants victimes morts tues blesses "
    "deplaces arretes disparus menages patients manifestants deces salaries enseignants "
    "infirmieres infirmiers medecins benevoles agriculteurs pecheurs",
    "es": "personas civiles ninos ninas mujeres hombres trabajadores familias refugiados "
    "migrantes detenidos presos periodistas estudiantes habitantes residentes victimas "
    "muertos muertes fallecidos heridos desplazados arrestados desaparecidos hogares "
    "pacientes manifestantes empleados docentes enfermeras enfermeros medicos voluntarios "
    "agricultores pescadores",
    "ar": "شخص اشخاص مدني مدنيين مدنيا طفل اطفال طفلا امراه نساء رجل رجال عامل عمال اسره اسر "
    "عائله عائلات لاجئ لاجئين لاجئا مهاجر مهاجرين معتقل معتقلين معتقلا سجين سجناء صحفي "
    "صحفيين صحفيا طالب طلاب ساكن سكان ضحيه ضحايا قتيل قتلى جريح جرحى نازح نازحين نازحا "
    "مفقود مفقودين شهيد شهداء مريض مرضى متظاهر متظاهرين موظف موظفين معلم معلمين اسير اسرى "
    "ممرض ممرضين ممرضا ممرضه طبيب اطباء متطوع متطوعين مزارع مزارعين صياد صيادين",
}
PEOPLE_WORDS = {fold(w) for words in PEOPLE.values() for w in words.split()}
# What makes a number something else than a count.
NOT_A_COUNT_BEFORE = re.compile(
    r"(?:article|art\.|arts\.|paragraph|para\.|section|clause|resolution|rule|chapter|page|p\.|"
    r"pp\.|no\.|number|law|decree|tel\.?|phone|call|aged|age\s+of|ages|"
    r"l['’]article|alin[ée]a|paragraphe|r[ée]solution|loi|d[ée]cret|chapitre|num[ée]ro|"
    r"âg[ée]e?s?\s+de|ag[ée]e?s?\s+de|t[ée]l[ée]phone|"
    r"art[íi]culo|p[áa]rrafo|resoluci[óo]n|ley|n[úu]mero|edad\s+de|tel[ée]fono|"
    r"المادة|مادة|الفقرة|فقرة|القرار|قرار|القانون|قانون|المرسوم|رقم|الهاتف|هاتف|عمر|البالغ|"
    r"البالغة|البالغين|العمر|سن)\s*$",
    re.I,
)
AGE_AFTER = re.compile(
    r"^(?:\s*-?\s*years?[\s-]*old|\s*-\s*year|\s+ans\b|\s+años\b|\s+(?:عاما|عاماً|سنة|سنوات|عام)\b"
    r"|\s*(?:am|pm|a\.m\.|p\.m\.|h\b|o['’]clock|heures?|horas?|ساعة|صباحا|مساء))",
    re.I,
)
_WORDS = re.compile(r"[^\W\d_]+")


def _is_code(text: str, figure: Figure) -> bool:
    """Part of a reference code (RM-117-2023, A/HRC/55/2), a phone number or an address."""
    before, after = text[max(0, figure.start - 2) : figure.start], text[figure.end : figure.end + 2]
    if re.search(r"[A-Za-z]-?$|/$", before) or re.match(r"^-?[A-Za-z]|^/|^-\d", after):
        return True
    if re.search(r"[-/]$", before) and re.search(
        r"\w[-/]$", text[max(0, figure.start - 3) : figure.start]
    ):
        return True
    window = latin_digits(text[max(0, figure.start - 4) : figure.end + 12])
    return (
        bool(re.search(r"\+\d|\d[\d\s().-]{8,}\d", window)) and len(re.sub(r"\D", "", window)) >= 8
    )


def _people_follow(text: str, figure: Figure) -> bool:
    words = [fold(w) for w in _WORDS.findall(text[figure.end : figure.end + 60])][:4]
    for word in words:
        for candidate in (word, word[2:] if word.startswith("ال") else word,
                          word[1:] if word[:1] in "وبل" else word):  # fmt: skip
            if candidate in PEOPLE_WORDS or (
                len(candidate) > 5 and candidate.rstrip("s") in PEOPLE_WORDS
            ):
                return True
    return False


def kind_of(text: str, figure: Figure) -> str | None:
    """ "percentage", "amount" or "people" when the figure is one; None otherwise."""
    before, after = text[: figure.start], text[figure.end :]
    if figure.ordinal:
        return None
    if re.match(r"^[:h]\d", after) or re.search(r"\d[:h]$", before):
        return None  # a time (10:30, 14h30), a ratio or a verse
    if NOT_A_COUNT_BEFORE.search(before[-30:]) or AGE_AFTER.match(after):
        return None
    if not figure.spelled and _is_code(text, figure):
        return None
    if PERCENT.match(after):
        return "percentage"
    if CURRENCY_BEFORE.search(before[-6:]) or CURRENCY_AFTER.match(after):
        return "amount"
    is_year = (
        not figure.spelled and 1900 <= figure.value <= 2100 and figure.value == int(figure.value)
    )
    if is_year and not re.match(r"^\s+(?:people|personas|personnes|شخص)", after):
        return None
    if _people_follow(text, figure):
        return "people"
    return None


def check(doc: Document) -> list[Finding]:
    found = []
    for sentence in doc.sentences():
        block = sentence.block
        candidates = [
            f
            for f in block.figures(doc.language)
            if sentence.start <= f.start < sentence.end and not block.in_link(f.start, f.end)
        ]
        if not candidates:
            continue  # most sentences: no figure, nothing to source
        text = sentence.text
        if ATTRIBUTION.search(text) or FOOTNOTE.search(text) or sentence.has_link():
            continue
        for figure in candidates:
            kind = kind_of(block.text[: sentence.end], figure)
            if kind is None:
                continue
            tail = re.match(r"\s*(?:\S+\s*){0,2}", block.text[figure.end : sentence.end])
            end = figure.end + (len(tail.group()) if tail else 0)
            found.append(
                Finding(
                    "unsourced_figure",
                    doc.language,
                    block.line_at(figure.start),
                    excerpt(block.text[figure.start : end].strip(" ,.;:")),
                    _(
                        "A figure without a source: say where it comes from in the same sentence "
                        '("according to …", a link or a footnote).'
                    ),  # fmt: skip
                )
            )
            break  # one finding per sentence
    return found
