"""The identifier guard: no direct identifier may enter the pipeline.

Pure (no Dagster). The ``raw_wave`` asset, the ``attendance`` asset, ``python -m pipelines
validate`` and ``new-wave`` call :func:`check_no_identifiers` before anything of a file is
stored; the study configuration calls :func:`file_name_kinds` on every file it names.

What is scanned: every cell (free text is searched, not only whole values; numeric items
too), variable names, variable labels, value labels and their codes, labelled values of
SPSS string variables, the file's name, and the attendance register (every column, not
only the configured ones). What is looked for:

* **Swedish personal identity and coordination numbers** (*personnummer*,
  *samordningsnummer*): 10 or 12 digits, written with ``-``, ``+``, any dash, a space, a
  dot or nothing between date and serial number; the date must exist (a coordination
  number adds 60 to the day) and the check digit must pass the Luhn test;
* **phone numbers**: Swedish mobile and landline numbers in every common written form
  (``070-123 45 67``, ``070/123 45 67``, ``(070) 123 45 67``, ``+46 70 123 45 67``,
  ``0046 70 123 45 67``, ``040-12 34 56``, ``0701234567``) and international numbers
  (``+44 20 7946 0958``);
* **e-mail addresses**, internationalised domains (``anna@hälsa.se``) and local parts
  included;
* **names in the ID variable**: words of letters where a pseudonym is expected;
* variables *named or labelled* like a name, personal identity number, e-mail, phone,
  address or birth-date field (:func:`identifier_name_kind`).

Text is normalised first (:func:`normalise_text`): Unicode NFKC (full-width ``＠`` and
digits), every dash to ``-``, every space to `` ``, invisible characters removed, digits
of other scripts (Arabic-Indic, Persian) to ASCII, ``(at)``/``[at]`` to ``@``.

**Strength.** A match written as people write identifiers (with separators, ``+46``, an
``@``) stops ingestion at the first value. A *bare* digit string (``8112189876``,
``0701234567``) stops it at the first value too, unless the column is a column of long
numeric codes (at least half of its values are numbers of 8 or more digits): there, random
codes pass the date and check-digit tests by chance (about 0.7 % of random 10-digit codes
do), so such a column is stopped only when at least :data:`IDENTIFIER_SHARE` of its values
match. Bare landline-like numbers (``040123456``) count only in that share, or at once when
the same value says ``tel``, ``ring``, ``sms``, ``mobil``, ``nummer`` or the like.

Messages name the file, the variable (or "variable label", "value label of code 3",
"file name"), rows and the kind of identifier - never the value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata

import numpy as np
import pandas as pd

from privacy.problems import IdentifierError, Problem, codebook_code, is_data_like_name

#: a *weak* match (a bare digit string in a column of long numeric codes, a bare
#: landline-like number) stops ingestion only when at least this share of a column's
#: non-missing values match; other matches stop it at the first value
IDENTIFIER_SHARE = 0.5
#: a column is a column of long numeric codes when at least this share of its values are
#: numbers of :data:`CODE_DIGITS` or more digits
CODE_COLUMN_SHARE = 0.5
CODE_DIGITS = 8
#: a variable label is judged by name only when it is this short (a field name such as
#: "Förnamn" or "E-postadress", not a question that happens to contain "namn")
IDENTIFIER_LABEL_WORDS = 4

PNR = "personal identity number"
COORDINATION = "coordination number"
EMAIL = "e-mail address"
PHONE = "phone number"
NAME = "personal name"

#: one identifier, with its article (for "looks like ...")
KIND_ONE = {
    PNR: "a Swedish personal identity number",
    COORDINATION: "a Swedish coordination number",
    EMAIL: "an e-mail address",
    PHONE: "a phone number",
    NAME: "a personal name",
}
#: many identifiers (for "N value(s) look like ...")
KIND_PLURAL = {
    PNR: "Swedish personal identity numbers (valid date and check digit)",
    COORDINATION: "Swedish coordination numbers (day + 60, valid check digit)",
    EMAIL: "e-mail addresses",
    PHONE: "phone numbers",
    NAME: "personal names (words of letters, not the study's pseudonym format)",
}

#: match levels: written like an identifier / a bare digit string / weak (share rule only)
WRITTEN, BARE, WEAK = 3, 2, 1

# -- normalisation -----------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u00ad"
_TRANSLATE = {ord(c): "-" for c in _DASHES}
_TRANSLATE.update({ord(c): "." for c in "\u3002\uff61\u2024"})                   # ideographic full stops
_TRANSLATE.update({ord(c): "" for c in "\u200b\u200c\u200d\u2060\ufeff"})        # zero-width characters
_TRANSLATE[0x00AD] = ""                                                         # soft hyphen
_TRANSLATE.update({ord(c): "@" for c in "\uff20\ufe6b"})
_AT_WORD = re.compile(r"\s*[\(\[\{<]\s*(?:at|snabel-?a)\s*[\)\]\}>]\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Text as the detectors read it (see the module docstring).

    Examples
    --------
    >>> normalise_text("811218\u20139876"), normalise_text("anna\uff20example\uff0ese")
    ('811218-9876', 'anna@example.se')
    >>> normalise_text("070\u00a0123\u2009456\u202f7"), normalise_text("\u0660\u0667\u0660-\u0661\u0662\u0663")
    ('070 123 456 7', '070-123')
    >>> normalise_text("anna (at) example.se")
    'anna@example.se'
    """
    s = unicodedata.normalize("NFKC", str(text)).translate(_TRANSLATE)
    if not s.isascii():
        s = "".join(str(unicodedata.decimal(c)) if not c.isascii() and unicodedata.decimal(c, None) is not None
                    else c for c in s)
    s = _SPACES.sub(" ", s)
    if "at" in s.lower() or "snabel" in s.lower():
        s = _AT_WORD.sub("@", s)
    return s.strip()


# -- personal identity and coordination numbers ----------------------------------------------


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn (mod 10) check, as Swedish personal identity
    numbers do over their 10-digit form ``YYMMDDNNNC``.

    Examples
    --------
    >>> luhn_valid("8112189876"), luhn_valid("8112189875"), luhn_valid("")
    (True, False, False)
    """
    if not digits or not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def personal_number_kind(text: str) -> str | None:
    """``"personal identity number"``, ``"coordination number"`` or ``None`` for one value.

    Accepts ``YYMMDD-NNNC``, ``YYMMDD+NNNC`` (100 years or older), ``YYYYMMDD-NNNC``,
    ``YYYYMMDDNNNC`` and ``YYMMDDNNNC``. The date must exist (a coordination number adds 60
    to the day) and the check digit ``C`` must be valid (Luhn over the 10-digit form).

    Examples
    --------
    >>> personal_number_kind("811218-9876"), personal_number_kind("198112189876")
    ('personal identity number', 'personal identity number')
    >>> personal_number_kind("701063-2391"), personal_number_kind("811218-9875")
    ('coordination number', None)
    >>> personal_number_kind("2023-10-20"), personal_number_kind("811318-9876")
    (None, None)
    """
    m = re.fullmatch(r"(\d{2})?(\d{2})(\d{2})(\d{2})[-+]?(\d{4})", str(text).strip(), flags=re.ASCII)
    if not m:
        return None
    century, yy, mm, dd, tail = m.groups()
    if century and century not in ("18", "19", "20"):
        return None
    day, kind = int(dd), PNR
    if day > 60:
        day, kind = day - 60, COORDINATION
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]

    def exists(year: int) -> bool:
        try:
            dt.date(year, int(mm), day)
            return True
        except ValueError:
            return False

    if not any(exists(y) for y in years):
        return None
    return kind if luhn_valid(yy + mm + dd + tail) else None


#: a personal identity / coordination number anywhere in a (normalised) text
_PNR_TEXT = re.compile(
    r"(?<!\d)(?<!\d[-+./])"
    r"(?P<century>1[89]|20)?(?P<date>\d{6})(?P<sep> ?[-+.] ?| )?(?P<tail>\d{4})"
    r"(?!\d)(?![-+./]\d)", re.ASCII)

#: hhmm: the last four digits of a timestamp; a year
_TIME = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d")
_YEAR = re.compile(r"(?:19|20)\d\d")
#: words that make a bare digit string a personal identity number at once
_PNR_WORDS = re.compile(r"(?<![^\W\d_])(?:pnr|p-nr|personnummer|personnr|person-?nr|persnr|samordningsnummer"
                        r"|f[öo]delsenummer|personal (?:identity )?number|ssn)(?![^\W\d_])", re.IGNORECASE)

# -- phone numbers --------------------------------------------------------------------------

_SEP = r"(?: ?[-/.] ?| )"            # one separator between digit groups
_OSEP = _SEP + "?"
_SUB_SEP = r"(?: ?[-.] ?| )?"        # separators inside the subscriber number (no slash: dates)
#: Swedish mobile numbers, national form: 070-123 45 67, (070) 123 45 67, 0701234567, ...
_MOBILE = re.compile(rf"(?<![\d+])(?:\(07[02369]\)|07[02369])(?P<sep>{_OSEP})\d(?:{_SUB_SEP}\d){{6}}(?!\d)",
                     re.ASCII)
#: Swedish numbers in international form: +46 70 123 45 67, 0046 (0)40-12 34 56, +46701234567
_SWEDISH_INTL = re.compile(rf"(?<![\d+])(?:\+ ?|00 ?)46{_OSEP}(?:\(0\) ?)?-? ?(?P<rest>[1-9](?:{_SUB_SEP}\d){{6,8}})"
                           rf"(?!\d)", re.ASCII)
#: other international numbers: +44 20 7946 0958, +1 (555) 123-4567, 0044 20 7946 0958
_INTL = re.compile(rf"(?<![\d+\w])(?:\+ ?(?P<cc1>[1-9]\d{{0,2}})|00(?P<cc2>[1-9]\d{{0,2}})(?={_SEP}))"
                   rf"(?P<rest>(?:{_OSEP}\(\d{{1,4}}\))?(?:{_OSEP}\d{{1,4}}){{2,6}})(?!\d)", re.ASCII)
#: Swedish landline numbers with their area code set apart: 040-12 34 56, 08/123 456 78,
#: (031) 12 34 56, 0480 123 45
_LANDLINE = re.compile(r"(?<![\d+])(?:\((?P<a1>08|0[1-9]\d{1,2})\) ?|(?P<a2>08|0[1-9]\d{1,2}) ?[-/] ?"
                       r"|(?P<a3>08|0[1-9]\d{1,2}) )(?P<sub>[1-9]\d{4,7}|[1-9]\d{1,3}(?:[ -]\d{2,3}){1,3})(?!\d)(?![-.]\d)",
                       re.ASCII)
#: bare digit strings: mobile 0701234567 (checked by _MOBILE), landline 040123456, 46701234567
_BARE_LANDLINE = re.compile(r"(?<![\d+])0[1-9]\d{6,8}(?!\d)", re.ASCII)
_BARE_46 = re.compile(r"(?<![\d+])467[02369]\d{7}(?!\d)", re.ASCII)
_DATE = re.compile(r"\(?\d{1,4}\)?[-/.]\d{1,2}[-/.]\d{2,4}")
_HOUR_RANGES = re.compile(r"(?:[01]?\d|2[0-4])-(?:[01]?\d|2[0-4])(?:,? (?:[01]?\d|2[0-4])-(?:[01]?\d|2[0-4]))+")
#: words that make a bare landline-like number a phone number at once
_PHONE_WORDS = re.compile(r"(?<![^\W\d_])(?:tel|telefon\w*|tfn|ring\w*|sms\w*|mobil\w*|mob|nummer|nr|phone|call"
                          r"|whatsapp|viber|signal|hemnummer|jobbnummer|kontakt\w*)(?![^\W\d_])", re.IGNORECASE)


def _is_bare_date(digits: str) -> bool:
    """An 8-digit string that is a date written DDMMYYYY or MMDDYYYY (``01022023``)."""
    if len(digits) != 8 or digits[4:6] not in ("19", "20"):
        return False
    for d, m in ((digits[:2], digits[2:4]), (digits[2:4], digits[:2])):
        try:
            dt.date(int(digits[4:]), int(m), int(d))
            return True
        except ValueError:
            pass
    return False


#: dates and times anywhere in a text: a phone-number match that overlaps one is not a phone number
_DATE_OR_TIME = re.compile(r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)"
                           r"|(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)")


_EIGHT_DIGITS = re.compile(r"(?<!\d)\d{8}(?!\d)")


def _phone_levels(s: str) -> int:
    """The strongest phone-number match level in a normalised text (0: none)."""
    level = 0
    spans = [m.span() for m in _DATE_OR_TIME.finditer(s)]
    # a date written as 8 bare digits (07012000) is not the start of a phone number either
    spans += [m.span() for m in _EIGHT_DIGITS.finditer(s) if _is_bare_date(m.group(0))]

    def in_date(m: re.Match) -> bool:
        a, b = m.span()
        return any(x < b and a < y for x, y in spans)

    for m in _SWEDISH_INTL.finditer(s):
        if 8 <= 1 + sum(c.isdigit() for c in m.group("rest")) <= 10:
            return WRITTEN
    for m in _MOBILE.finditer(s):
        text = m.group(0)
        if _DATE.fullmatch(text) or in_date(m):
            continue
        if text.isdigit():
            level = max(level, BARE)
        else:
            return WRITTEN
    for m in _INTL.finditer(s):
        digits = sum(c.isdigit() for c in m.group(0))
        if 8 <= digits <= 15 and not _DATE.fullmatch(m.group(0).lstrip("+ ")) and not in_date(m):
            return WRITTEN
    for m in _LANDLINE.finditer(s):
        text = m.group(0)
        area = m.group("a1") or m.group("a2") or m.group("a3")
        sub = re.sub(r"\D", "", m.group("sub"))
        n = len(area) + len(sub)
        if (not (8 <= n <= 10 and 5 <= len(sub) <= 8) or _DATE.fullmatch(text) or _HOUR_RANGES.fullmatch(text)
                or in_date(m)):
            continue
        first_digits = re.match(r"\d+", m.group("sub"))
        assert first_digits is not None   # <sub> always starts with [1-9]
        first = first_digits.group(0)
        if area == "08" and len(first) == 2 and int(first) <= 24 and not m.group("a1"):
            level = max(level, WEAK)      # "08-16 10 10": opening hours as often as a Stockholm number
            continue
        return WRITTEN
    words = bool(_PHONE_WORDS.search(s))
    if any(not _is_bare_date(m.group(0)) and not in_date(m) for m in _BARE_LANDLINE.finditer(s)) \
            or _BARE_46.search(s):
        level = max(level, WRITTEN if words else WEAK)
    if level and words:
        level = WRITTEN
    return level


# -- e-mail addresses -------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+ ?@ ?(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)")


# -- one text, one number -------------------------------------------------------------------


def text_kinds(text: str, free_text: bool = True) -> dict[str, int]:
    """The identifiers one text holds: kind -> match level (:data:`WRITTEN`, :data:`BARE`
    or :data:`WEAK`).

    Parameters
    ----------
    text
        A cell, a label or a file name.
    free_text
        ``False`` for a file name: ``_`` then separates words and digit groups too.

    Examples
    --------
    >>> text_kinds("Ring mig på 070-123 45 67"), text_kinds("pnr 198112189876 tack")
    ({'phone number': 3}, {'personal identity number': 3})
    >>> text_kinds("skriv till anna@hälsa.se"), text_kinds("2023-10-20 kl 14.30"), text_kinds("8112189875")
    ({'e-mail address': 3}, {}, {})
    """
    s = normalise_text(text)
    if not free_text:
        s = s.replace("_", " ")
    found: dict[str, int] = {}
    if "@" in s and _EMAIL.search(s):
        found[EMAIL] = WRITTEN
    if sum(c.isdigit() for c in s) < 6:
        return found
    for m in _PNR_TEXT.finditer(s):
        kind = personal_number_kind((m.group("century") or "") + m.group("date") + m.group("tail"))
        if kind:
            sep, tail = (m.group("sep") or "").strip(), m.group("tail")
            level = WRITTEN if m.group("sep") else BARE
            if not sep and ((m.group("century") == "20" and _TIME.fullmatch(tail)) or _YEAR.fullmatch(tail)):
                # 202310201430, "20231020 1430", "20000108 2023": a date and a time or a year as
                # often as a person (serial numbers shaped like those are judged by the share rule)
                level = WEAK
            if _PNR_WORDS.search(s):
                level = WRITTEN
            found[kind] = max(found.get(kind, 0), level)
    level = _phone_levels(s)
    if level:
        found[PHONE] = level
    return found


def number_kinds(value: float) -> dict[str, int]:
    """The identifiers one number (a numeric cell or a value-label code) can be: personal
    identity numbers stored as 10- or 12-digit numbers (8 or 9 digits when the leading zeros
    of a 190x/200x birth year were lost; a birth in January to September 1900 or 2000 leaves
    7 digits, which cannot be told from an ordinary number and is not judged), mobile
    numbers that lost their leading zero (``701234567``, ``46701234567``). Levels as in
    :func:`text_kinds` (bare at most).

    Examples
    --------
    >>> number_kinds(8112189876.0), number_kinds(198112189876), number_kinds(701234567), number_kinds(55.5)
    ({'personal identity number': 2}, {'personal identity number': 2}, {'phone number': 2}, {})
    """
    try:
        v = abs(float(value))
    except (TypeError, ValueError):
        return {}
    if not (1e7 <= v < 1e12) or not v.is_integer():
        return {}
    digits = str(int(v))
    found: dict[str, int] = {}
    if len(digits) in (8, 9):
        if re.fullmatch(r"7[02369]\d{7}", digits):
            found[PHONE] = BARE
        kind = personal_number_kind(digits.zfill(10))
        if kind:
            found[kind] = BARE
    elif len(digits) == 11:
        if re.fullmatch(r"467[02369]\d{7}", digits):
            found[PHONE] = BARE
    elif len(digits) in (10, 12):
        kind = personal_number_kind(digits)
        if kind:
            found[kind] = BARE
    return found


def file_name_kinds(name: str) -> list[str]:
    """The identifiers a file name (or a path as the configuration writes it) holds.

    Examples
    --------
    >>> file_name_kinds("waves/jh_T0_hosten2023.sav"), file_name_kinds("svar_811218-9876.sav")
    ([], ['personal identity number'])
    >>> file_name_kinds("export_20231020_1432.csv"), file_name_kinds("anna.svensson@skola.se.csv")
    ([], ['e-mail address'])
    """
    text = re.sub(r"[\\/]+", " ", str(name))
    text = re.sub(r"\.(?:sav|zsav|csv|xlsx|xls|dta|txt|tsv)$", "", text, flags=re.IGNORECASE)
    return sorted(k for k, level in text_kinds(text, free_text=False).items() if level >= BARE)


def file_name_problem(name: str) -> str | None:
    """The message for a file name that holds an identifier (``None``: it holds none);
    it never repeats the name.

    Examples
    --------
    >>> file_name_problem("t0.sav") is None, file_name_problem("0701234567.sav")
    (True, 'the file name looks like it holds a phone number: rename the file (file names are shown in messages and published in the report appendix and manifest)')
    """
    kinds = file_name_kinds(name)
    if not kinds:
        return None
    return (f"the file name looks like it holds {' and '.join(KIND_ONE[k] for k in kinds)}: rename the file "
            "(file names are shown in messages and published in the report appendix and manifest)")


# -- variable names and short labels --------------------------------------------------------

_FOLD = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")

#: what a variable is called when it holds a direct identifier: whole words, word pairs
#: and word endings (Swedish compounds: förnamn, gatuadress), after folding å/ä/ö to a/a/o.
#: Ambiguous abbreviations are left out on purpose ("tel" is also a telephone-interview
#: flag); their values are still judged
_IDENTIFIER_NAMES: list[tuple[str, set[str], set[tuple[str, ...]], tuple[str, ...]]] = [
    (PNR,
     {"personnummer", "personnr", "persnr", "pnr", "samordningsnummer", "samordningsnr", "ssn",
      "personnumber", "personalnumber"},
     {("person", "nr"), ("person", "nummer"), ("personal", "number"), ("social", "security")}, ()),
    (EMAIL,
     {"email", "epost", "mail", "emailadress", "epostadress", "mailadress", "emailaddress"},
     {("e", "post"), ("e", "mail")}, ("epostadress", "mailadress", "mailaddress")),
    ("name",
     {"namn", "name", "firstname", "lastname", "surname", "fullname", "forename", "givenname", "familyname"},
     {("first", "name"), ("last", "name"), ("full", "name"), ("given", "name"), ("family", "name")},
     ("namn", "name")),
    (PHONE,
     {"telefon", "telefonnummer", "telnr", "mobil", "mobilnr", "mobilnummer", "mobiltelefon", "phone",
      "phonenumber", "telephone", "mobile", "cellphone"},
     {("phone", "number"), ("tel", "nr")}, ("telefonnummer", "telefon")),
    ("postal address",
     {"adress", "address", "gatuadress", "hemadress", "postadress", "postnummer", "postnr", "postort", "zip",
      "zipcode", "postcode", "postalcode", "street"},
     {("post", "nr"), ("post", "nummer"), ("zip", "code"), ("postal", "code")}, ("adress", "address")),
    ("date of birth",
     {"fodelsedatum", "fodelsedag", "birthdate", "birthday", "dob", "dateofbirth"},
     {("date", "of", "birth"), ("birth", "date"), ("fodelse", "datum")}, ()),
]


def name_tokens(text: str) -> list[str]:
    """Lower-case words of a variable name or label (camelCase and ``_``/``-`` split, å/ä/ö folded).

    Examples
    --------
    >>> name_tokens("Förnamn"), name_tokens("e_post"), name_tokens("mobilNr")
    (['fornamn'], ['e', 'post'], ['mobil', 'nr'])
    """
    text = re.sub(r"([a-zåäö0-9])([A-ZÅÄÖ])", r"\1 \2", str(text))
    return [t for t in re.split(r"[^0-9a-z]+", text.translate(_FOLD).lower()) if t]


def identifier_name_kind(text: str) -> str | None:
    """The kind of direct identifier a variable name (or short label) names, else ``None``.

    Examples
    --------
    >>> [identifier_name_kind(n) for n in ("efternamn", "E-post", "gatuadress", "pnr", "lopnr_kod",
    ...                                    "eq_mobilitet", "f9_1", "Tel. nr")]
    ['name', 'e-mail address', 'postal address', 'personal identity number', None, None, None, 'phone number']
    """
    tokens = name_tokens(text)
    # adjacent words joined as well: "E-postadress" -> e + postadress -> epostadress
    words_and_joins = tokens + [a + b for a, b in zip(tokens, tokens[1:])]
    for kind, words, phrases, endings in _IDENTIFIER_NAMES:
        if any(t in words for t in words_and_joins):
            return kind
        if endings and any(t.endswith(endings) for t in words_and_joins if len(t) > 4):
            return kind
        for phrase in phrases:
            n = len(phrase)
            if any(tuple(tokens[i:i + n]) == phrase for i in range(len(tokens) - n + 1)):
                return kind
    return None


# -- names where a pseudonym is expected -----------------------------------------------------

_NAME_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)?"
_NAME_LIKE = re.compile(rf"{_NAME_WORD}(?:[ \-.]+{_NAME_WORD})*\.?")


def looks_like_name(value: str) -> bool:
    """Whether a participant ID looks like a person's name: words of letters only (no
    digit), and either several words separated by spaces or capitalised words (``Anna``,
    ``Anna-Karin``), or one word in a script without capitals (``أحمد``).

    Examples
    --------
    >>> [looks_like_name(v) for v in ("Anna Svensson", "Anna", "ANNA SVENSSON", "أحمد علي", "أحمد", "JH-0FCA07",
    ...                               "jh-abcdef", "JH-ABCDEF", "ABCDEF")]
    [True, True, True, True, True, False, False, False, False]
    """
    s = normalise_text(value)
    if len(s) < 2 or not _NAME_LIKE.fullmatch(s):
        return False
    words = [w for w in re.split(r"[ \-.]+", s) if w]
    if " " in s and len(words) >= 2:
        return True
    parts = [p for p in re.split(r"[ \-.'’]+", s) if p]
    if all(p[0].isupper() and (len(p) == 1 or p[1:].islower()) for p in parts):
        return True
    return not any(c.isupper() or c.islower() for c in s)          # a script without capitals


# -- columns ----------------------------------------------------------------------------------

_CANDIDATE_AT = r"[@\uff20\ufe6b]|[\(\[\{<]\s*(?:at|snabel)"


def _kinds_of_uniques(values: np.ndarray, judge, n_rows: int) -> dict[str, dict[int, np.ndarray]]:
    """kind -> level -> boolean mask over the unique ``values`` that ``judge`` finds."""
    out: dict[str, dict[int, np.ndarray]] = {}
    for j, v in enumerate(values):
        for kind, level in judge(v).items():
            out.setdefault(kind, {}).setdefault(level, np.zeros(n_rows, dtype=bool))[j] = True
    return out


def scan_column(col: pd.Series, id_pattern: str | None = None) -> dict[str, tuple[int, tuple[int, ...]]]:
    """The identifiers one column's values hold.

    Parameters
    ----------
    col
        The values (text, numbers, dates: anything a wave file holds).
    id_pattern
        For the ID variable: the study's pseudonym pattern; values that do not match it and
        look like names (:func:`looks_like_name`) are personal names.

    Returns
    -------
    dict
        kind -> (number of values, their 1-based rows), only for kinds that stop ingestion:
        a value that matches strongly, or weak matches in at least :data:`IDENTIFIER_SHARE`
        of the values; a kind with a strong match counts its weak matches too.

    Notes
    -----
    Each distinct value is judged once (an attendance register repeats the same IDs and
    dates millions of times); only values with an ``@`` (or ``(at)``) or six digits, and
    numbers of 8 to 12 digits, can match at all.

    Examples
    --------
    >>> scan_column(pd.Series(["bra", "sms 0701234567", None, "070"]))
    {'phone number': (1, (2,))}
    >>> scan_column(pd.Series([3.0, 8112189876.0, 2.0]))
    {'personal identity number': (1, (2,))}
    >>> scan_column(pd.Series(["JH-0FCA07", "Anna Svensson"]), id_pattern=r"^JH-[0-9A-Z]{6}$")
    {'personal name': (1, (2,))}
    """
    col = col.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(col):
        return {}
    present = col.notna().to_numpy()
    n_present = int(present.sum())
    if not n_present:
        return {}
    strong: dict[str, np.ndarray] = {}
    weak: dict[str, np.ndarray] = {}

    def add(kind: str, rows: np.ndarray, is_strong: bool) -> None:
        target = strong if is_strong else weak
        target[kind] = np.union1d(target.get(kind, np.empty(0, dtype=np.int64)), rows)

    def judge_numbers(rows: np.ndarray, num: np.ndarray, code_column: bool) -> None:
        uniq, inverse = np.unique(num, return_inverse=True)
        for kind, levels in _kinds_of_uniques(uniq, number_kinds, len(uniq)).items():
            for level, mask in levels.items():
                add(kind, rows[mask[inverse]], level == WRITTEN or (level == BARE and not code_column))

    if pd.api.types.is_numeric_dtype(col):
        num = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
        big = ~np.isnan(num) & (np.abs(num) >= 1e7) & (np.abs(num) < 1e12) & (np.floor(num) == num)
        if big.any():
            code_column = float(np.mean(np.abs(num[present]) >= 10 ** (CODE_DIGITS - 1))) >= CODE_COLUMN_SHARE
            judge_numbers(np.flatnonzero(big), num[big], code_column)
    else:
        rows_all = np.flatnonzero(present)
        values = col[present]
        if values.dtype == object:
            is_text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            # numbers in an object column (an SPSS export mixing types) are judged as numbers
            nums = values[~is_text].map(lambda v: float(v) if isinstance(v, (int, float, np.integer, np.floating))
                                        and not isinstance(v, (bool, np.bool_)) else np.nan).to_numpy(dtype="float64")
            big = ~np.isnan(nums) & (np.abs(nums) >= 1e7) & (np.abs(nums) < 1e12) & (np.floor(nums) == nums)
            if big.any():
                judge_numbers(rows_all[~is_text][big], nums[big], False)
            text_rows, texts = rows_all[is_text], values[is_text]
        elif pd.api.types.is_string_dtype(values):
            text_rows, texts = rows_all, values
        else:
            text_rows, texts = rows_all[:0], values.iloc[:0]
        if len(texts):
            codes, uniques = pd.factorize(texts)
            u = pd.Series(np.asarray(uniques, dtype=object)).astype(str)
            counts = np.bincount(codes, minlength=len(u))
            # cheap pre-filter: only values with an '@' (or "(at)") or six digits can match
            cand = ((u.str.count(r"\d") >= 6) | u.str.contains(_CANDIDATE_AT, case=False)).to_numpy(dtype=bool)
            if cand.any():
                compact = u.str.replace(r"[\s\-]", "", regex=True)
                long_code = compact.str.fullmatch(rf"\d{{{CODE_DIGITS},}}").to_numpy(dtype=bool)
                code_column = counts[long_code].sum() / counts.sum() >= CODE_COLUMN_SHARE
                idx = np.flatnonzero(cand)
                for kind, levels in _kinds_of_uniques(u.to_numpy()[idx], text_kinds, len(idx)).items():
                    for level, mask in levels.items():
                        hit_u = np.zeros(len(u), dtype=bool)
                        hit_u[idx[mask]] = True
                        add(kind, text_rows[hit_u[codes]], level == WRITTEN or (level == BARE and not code_column))
            if id_pattern is not None:
                stripped = u.str.strip()
                off = np.flatnonzero(~stripped.str.fullmatch(id_pattern).to_numpy(dtype=bool))
                name_u = np.zeros(len(u), dtype=bool)
                name_u[[j for j in off if looks_like_name(stripped.iloc[j])]] = True
                if name_u.any():
                    add(NAME, text_rows[name_u[codes]], True)
    out = {}
    for kind in sorted(set(strong) | set(weak)):
        rows = np.union1d(strong.get(kind, np.empty(0, dtype=np.int64)), weak.get(kind, np.empty(0, dtype=np.int64)))
        if kind in strong or len(rows) / n_present >= IDENTIFIER_SHARE:
            out[kind] = (len(rows), tuple(int(r) + 1 for r in rows))
    return out


# -- the guard --------------------------------------------------------------------------------

_SUGGESTION = ("remove the variable from the file before it enters the pipeline; if it is not an identifier, "
               "exempt it under the wave's identifier_exemptions with a reason")
_LABEL_SUGGESTION = "remove it from the file's labels before the file enters the pipeline"


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeio" else "a ") + noun


def _kinds_one(kinds) -> str:
    return " and ".join(KIND_ONE[k] for k in sorted(kinds))


def check_no_identifiers(raw: pd.DataFrame, codebook: pd.DataFrame, file: str, id_variable: str | None,
                         exemptions: dict[str, str] | None = None, id_pattern: str | None = None,
                         what: str = "wave", configured=()) -> list[Problem]:
    """The identifier guard: nothing in a file may look like a direct identifier.

    Parameters
    ----------
    raw
        The file's data as read (:func:`survey.ingest.read_wave`, or the attendance
        register as text).
    codebook
        Its codebook (``variable, variable_label, value, value_label`` and, for SPSS string
        variables, ``value_text``); variable labels, value labels and labelled codes are
        judged too. May be empty.
    file
        File name for the messages; it is judged too, and when it holds an identifier the
        messages say "the wave file" instead.
    id_variable
        The pseudonym variable: its *name* is not judged (it is configured as the study
        code), its *values* are (a personal identity number used as the "study code" is
        the worst leak of all), and with ``id_pattern`` a value that is not a pseudonym but
        looks like a name is a personal name.
    exemptions
        Variable -> reason (``identifier_exemptions``): these variables are not judged;
        each gives a ``note`` with its reason and what the guard would otherwise report.
    id_pattern
        The study's pseudonym pattern (``study.id_pattern``).
    what
        ``"wave"`` or ``"attendance register"``: how messages call the file.
    configured
        Variables whose *names* the configuration gives (the register's workshop and date
        columns): not judged by name; their values are.

    Returns
    -------
    list of Problem
        ``severity="error"`` for each finding: a variable named or (short) labelled like a
        name, personal identity number, e-mail, phone, address or birth-date field; values
        that look like Swedish personal identity or coordination numbers, e-mail addresses,
        phone numbers or (ID variable) names, with their rows; a variable name, variable
        label, value label or labelled code that holds one; the file name holding one.
        ``severity="note"`` for each exempted variable; ``severity="warning"`` for an
        exemption naming a variable the file does not have. Messages hold the variable,
        what was detected, counts and row numbers - never a value or a label's text.

    Examples
    --------
    >>> raw = pd.DataFrame({"kod": ["JH-1", "JH-2"], "kontakt": ["a@b.se", None], "q1": [1, 2]})
    >>> cb = pd.DataFrame({"variable": ["kod", "kontakt", "q1"], "variable_label": ["", "", ""]})
    >>> [str(p) for p in check_no_identifiers(raw, cb, "t0.sav", "kod")]
    ["t0.sav, variable 'kontakt': 1 value(s) look like e-mail addresses; rows 1 (remove the variable from the file before it enters the pipeline; if it is not an identifier, exempt it under the wave's identifier_exemptions with a reason)"]
    """
    exemptions = dict(exemptions or {})
    suggestion = _SUGGESTION if what == "wave" else _SUGGESTION.replace(
        "the wave's identifier_exemptions", "attendance.identifier_exemptions")
    problems: list[Problem] = []
    name_issue = file_name_problem(file)
    shown_file = f"the {what} file" if name_issue else file
    if name_issue:
        problems.append(Problem(shown_file, "no_direct_identifiers", name_issue))
    has_cb = len(codebook) > 0 and "variable" in codebook
    labels = (codebook.drop_duplicates("variable").set_index("variable")["variable_label"].to_dict()
              if has_cb and "variable_label" in codebook else {})
    value_rows = codebook.dropna(subset=["value"]) if has_cb and "value" in codebook else codebook.iloc[:0]
    by_var_codes = {str(v): g for v, g in value_rows.groupby("variable", sort=False)} if len(value_rows) else {}
    text_rows = (codebook[codebook["value_text"].notna()] if has_cb and "value_text" in codebook
                 else codebook.iloc[:0])
    by_var_text = {str(v): g for v, g in text_rows.groupby("variable", sort=False)} if len(text_rows) else {}
    label_rows = (codebook[codebook["value_label"].astype("string").fillna("").str.len() > 0]
                  if has_cb and "value_label" in codebook else codebook.iloc[:0])
    by_var_labels = {str(v): g for v, g in label_rows.groupby("variable", sort=False)} if len(label_rows) else {}
    for pos, var in enumerate(raw.columns, start=1):
        var = str(var)
        findings: list[Problem] = []
        name_kinds = [k for k, level in text_kinds(var).items() if level >= BARE]
        shown_var: str | None = var
        if name_kinds:
            # the name itself is data: the messages say which column, never the name
            shown_var = None
            findings.append(Problem(shown_file, "no_direct_identifiers",
                                    f"the name of column {pos} looks like it holds {_kinds_one(name_kinds)}",
                                    suggestion=suggestion))
        elif var != id_variable and var not in configured:
            kind = identifier_name_kind(var)
            if kind:
                findings.append(Problem(shown_file, "no_direct_identifiers",
                                        f"the variable name suggests {_article(kind)}", variable=var,
                                        suggestion=suggestion))
            label = str(labels.get(var, "") or "")
            label_kind = (identifier_name_kind(label) if len(name_tokens(label)) <= IDENTIFIER_LABEL_WORDS
                          else None)
            if label_kind and not kind:
                findings.append(Problem(shown_file, "no_direct_identifiers",
                                        f"the variable label suggests {_article(label_kind)}", variable=var,
                                        suggestion=suggestion))
        label = str(labels.get(var, "") or "")
        label_kinds = [k for k, level in text_kinds(label).items() if level >= BARE] if label else []
        if label_kinds:
            findings.append(Problem(shown_file, "no_direct_identifiers",
                                    f"the variable label looks like it holds {_kinds_one(label_kinds)}",
                                    variable=shown_var, suggestion=_LABEL_SUGGESTION))
        findings += _value_label_findings(shown_file, shown_var, by_var_codes.get(var), by_var_labels.get(var),
                                          by_var_text.get(var))
        pattern = id_pattern if var == id_variable else None
        for kind, (n, rows) in scan_column(raw.iloc[:, pos - 1], pattern).items():
            what_values = "value(s) of the ID variable" if kind == NAME else "value(s)"
            findings.append(Problem(shown_file, "no_direct_identifiers",
                                    f"{n} {what_values} look like {KIND_PLURAL[kind]}", variable=shown_var,
                                    count=n, rows=rows, suggestion=suggestion))
        if var in exemptions and shown_var is not None:
            would = "; ".join(p.message for p in findings) or "nothing (the exemption is not needed)"
            problems.append(Problem(shown_file, "identifier_exemption",
                                    f"exempted from the identifier guard, reason: {exemptions[var]!r}; without "
                                    f"the exemption the guard would report: {would}", variable=var,
                                    severity="note"))
        else:
            problems.extend(findings)
    columns = [str(c) for c in raw.columns]
    for v in exemptions:
        if v not in columns:
            close = difflib.get_close_matches(v, columns, n=1)
            problems.append(Problem(shown_file, "identifier_exemption", "identifier_exemptions names a variable "
                                    f"the {what} file does not have", variable=v, severity="warning",
                                    suggestion=f"did you mean {close[0]!r}?" if close and not text_kinds(close[0])
                                    else "remove the stale exemption"))
    return problems


def _value_label_findings(file: str, var: str | None, codes: pd.DataFrame | None, labelled: pd.DataFrame | None,
                          texts: pd.DataFrame | None) -> list[Problem]:
    """Value labels (their text), labelled codes and labelled text values of one variable."""
    findings = []
    if labelled is not None:
        for r in labelled.itertuples():
            kinds = [k for k, level in text_kinds(str(r.value_label)).items() if level >= BARE]
            if kinds:
                code = codebook_code(getattr(r, "value", None))
                which = f"code {code}" if code is not None else "a labelled code"
                findings.append(Problem(file, "no_direct_identifiers",
                                        f"the value label of {which} looks like it holds {_kinds_one(kinds)}",
                                        variable=var, suggestion=_LABEL_SUGGESTION))
    if codes is not None:
        kinds = sorted({k for v in codes["value"] for k, level in number_kinds(v).items() if level >= BARE})
        if kinds:
            findings.append(Problem(file, "no_direct_identifiers",
                                    f"a labelled code of the value labels looks like {_kinds_one(kinds)}",
                                    variable=var, suggestion=_LABEL_SUGGESTION))
    if texts is not None:
        kinds = sorted({k for v in texts["value_text"] for k, level in text_kinds(str(v)).items() if level >= BARE})
        if kinds:
            findings.append(Problem(file, "no_direct_identifiers",
                                    f"a labelled text value of the value labels looks like {_kinds_one(kinds)}",
                                    variable=var, suggestion=_LABEL_SUGGESTION))
    return findings


def identifier_error(problems: list[Problem], file: str, wave_id: str | None = None,
                     what: str = "wave") -> IdentifierError | None:
    """The exception the ``raw_wave`` (or ``attendance``) asset raises for the guard's
    errors (``None``: none); it lists every finding, never a value.

    Examples
    --------
    >>> p = Problem("t1.sav", "no_direct_identifiers", "2 value(s) look like e-mail addresses", variable="mail")
    >>> print(identifier_error([p], "t1.sav", "T1"))
    t1.sav (wave T1): 1 variable(s) look like direct identifiers, so the file was not stored: 'mail'
      - t1.sav, variable 'mail': 2 value(s) look like e-mail addresses
    """
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return None
    shown_file = errors[0].file if file_name_problem(file) else file
    variables = sorted({p.variable for p in errors if p.variable})
    other = [p for p in errors if not p.variable]
    parts = []
    if variables:
        parts.append(f"{len(variables)} variable(s) look like direct identifiers")
    if other:
        parts.append(f"{len(other)} finding(s) outside a named variable (the file name, a column name)")
    where = f" (wave {wave_id})" if wave_id else ""
    return IdentifierError(
        f"{shown_file}{where}: " + " and ".join(parts) + ", so the file was not stored"
        + (f": {', '.join(repr(v) for v in variables)}" if variables else "")
        + "\n" + "\n".join(f"  - {p}" for p in errors))


# -- variable names in messages ---------------------------------------------------------------

def shown_name(name) -> str:
    """A variable name from a file, quoted for a message, or a placeholder when it looks like
    a value (:func:`is_data_like_name`) or like a direct identifier.

    Examples
    --------
    >>> shown_name("f9_1"), shown_name("3"), shown_name("anna@example.se")
    ("'f9_1'", 'a variable whose name looks like a value', 'a variable whose name looks like a value')
    """
    s = str(name)
    if is_data_like_name(s) or any(level >= BARE for level in text_kinds(s).values()):
        return "a variable whose name looks like a value"
    return repr(s)


def shown_names(names, n: int = 6) -> str:
    """Several variable names for a message (:func:`shown_name` each), "and N more" after ``n``."""
    names = list(names)
    shown = [shown_name(x) for x in names[:n]]
    if any(not s.startswith("'") for s in shown):
        hidden = sum(not s.startswith("'") for s in shown)
        shown = [s for s in shown if s.startswith("'")] + [f"{hidden} name(s) that look like values"]
    return ", ".join(shown) + (f" and {len(names) - n} more" if len(names) > n else "")
