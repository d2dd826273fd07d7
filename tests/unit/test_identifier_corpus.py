"""The identifier guard's corpus (issue 15).

Detection: every kind of direct identifier - Swedish personal identity and coordination
numbers in every written form, Swedish and international phone numbers, e-mail addresses
(internationalised and full-width ones included) and names where a pseudonym is expected -
is planted in every place a wave file or the attendance register can carry it (free text,
numeric items, the ID variable, variable labels, value labels, labelled codes, labelled
text values, column names, the file name, the register's ID and extra columns). Each must
be found, with the right kind and place, and no message may hold the value.

False-positive control: thousands of ordinary answers, codes, dates, timestamps, amounts,
postcodes and free-text answers in Swedish, Arabic, Somali and English (generated with
hypothesis, and a seeded sample whose rate is measured) must pass.

Only synthetic identifiers are used: personal numbers are generated (valid date and check
digit), Swedish phone numbers come from the ranges used for fiction in Swedish media
(070-174 06 xx, 031-390 06 xx, 040-628 04 xx, 08-465 004 xx), international ones are
placeholders (Ofcom's drama range, 555-01xx), e-mail domains use the reserved ``.example``
top-level domain.
"""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy import identifiers
from studyconfig.config import Attendance, ConfigError, Wave, load_config
from survey import ingest

ID_PATTERN = r"^JH-[0-9A-Z]{6}$"
FUZZ = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


# -- the identifiers ---------------------------------------------------------------------------


def luhn_digit(nine: str) -> str:
    """The check digit of ``nine`` (brute force over 0-9, independent of the guard)."""
    def total(s):
        return sum(sum(divmod(int(c) * (2 if i % 2 == 0 else 1), 10)) for i, c in enumerate(s))
    return next(str(c) for c in range(10) if (total(nine) + c) % 10 == 0)


def births(n: int, seed: int) -> list[tuple[str, str, str]]:
    """``(century, yymmdd, serial+check)`` of ``n`` synthetic people born 1925-2012; every
    fourth one a coordination number (day + 60)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        year = rng.randint(1925, 2012)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        day_field = day + 60 if i % 4 == 3 else day
        yymmdd = f"{year % 100:02d}{month:02d}{day_field:02d}"
        serial = f"{rng.randint(0, 999):03d}"
        out.append((str(year // 100), yymmdd, serial + luhn_digit(yymmdd + serial)))
    return out


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


#: the ways a personal identity number is written (separators the issue lists, and more)
PNR_FORMS = {
    "YYMMDD-NNNC": lambda c, d, t: f"{d}-{t}",
    "YYMMDD+NNNC": lambda c, d, t: f"{d}+{t}",
    "en dash": lambda c, d, t: f"{d}\u2013{t}",
    "em dash": lambda c, d, t: f"{d}\u2014{t}",
    "minus sign": lambda c, d, t: f"{d}\u2212{t}",
    "non-breaking hyphen": lambda c, d, t: f"{d}\u2011{t}",
    "space": lambda c, d, t: f"{d} {t}",
    "no-break space": lambda c, d, t: f"{d}\u00a0{t}",
    "dot": lambda c, d, t: f"{d}.{t}",
    "spaced dash": lambda c, d, t: f"{d} - {t}",
    "10 digits": lambda c, d, t: f"{d}{t}",
    "YYYYMMDD-NNNC": lambda c, d, t: f"{c}{d}-{t}",
    "12 digits": lambda c, d, t: f"{c}{d}{t}",
    "YYYYMMDD NNNC": lambda c, d, t: f"{c}{d} {t}",
    "full-width digits": lambda c, d, t: _full_width(f"{d}-{t}"),
}
PEOPLE = births(len(PNR_FORMS) * 2, seed=15)
PNRS = [(f"pnr {form} #{i}", fn(*PEOPLE[2 * k + i]),
         identifiers.COORDINATION if int(PEOPLE[2 * k + i][1][4:]) > 60 else identifiers.PNR)
        for k, (form, fn) in enumerate(PNR_FORMS.items()) for i in range(2)]

PHONES = [(f"phone {p}", p, identifiers.PHONE) for p in [
    "070-174 06 05", "0701740606", "070 174 06 07", "070/174 06 08", "(070) 174 06 09", "070-1740610",
    "070.174.06.11", "070 - 174 06 12", "+46 70 174 06 13", "+46701740614", "+46 (0)70-174 06 15",
    "0046 70 174 06 16", "0046701740617", "+46 70-174 06 18", "+46\u00a070\u00a0174\u00a006\u00a019",
    "070\u2013174 06 20", "\u0660\u0667\u0660\u0661\u0667\u0664\u0660\u0666\u0662\u0661",  # Arabic-Indic digits
    _full_width("070-174 06 22"),
    "031-390 06 23", "031-3900624", "(031) 390 06 25", "040-628 04 26", "040/628 04 27", "08-465 004 28",
    "08-46500429", "+46 8 465 004 30", "+46 31 390 06 31", "0046 40 628 04 32",
    "+44 20 7946 0958", "+1 (555) 010-0199", "+358 40 123 4567", "+252 61 512 3456", "+964 770 123 4567",
    "+90 532 123 45 67", "+49 30 12345678", "0044 20 7946 0959", "+963 944 123 456",
]]

EMAILS = [(f"e-mail {e}", e, identifiers.EMAIL) for e in [
    "anna.svensson@example.com", "a_b+enkat@mail.example.org", "anna@hälsa.example", "fatima@exämple.example",
    "omar@xn--hlsa-loa.example", "anna\uff20example\uff0ecom", "anna\ufe6bexample.com", "anna (at) example.com",
    "анна@пример.example", "ANNA.SVENSSON@EXAMPLE.COM", "sara @ example.com",
]]

IDENTIFIERS = PNRS + PHONES + EMAILS

#: free-text answers an identifier can hide in
CONTEXTS = ["{}", "Ring mig på {}", "sms {}", "pnr {} tack", "Mitt nummer är {}.", "kontakta mig: {} !",
            "رقمي {} شكرا", "Lambarkayga waa {}", "call me at {}", "({})", "Hej!\nSkriv {} om det går"]

NAMES = ["Anna Svensson", "Fatima Ali", "Mohamed Abdi Hassan", "Åsa Öberg", "Anna-Karin", "Erik",
         "ANNA SVENSSON", "أحمد علي", "Maryan Cabdi", "Zeynep Yılmaz", "O'Brien", "Jean-Luc Picard"]

ORDINARY = ["bra", "Jättebra verkstad!", "mer tid", "kl 14.30", "3", "vet inte", "ja", "nej tack", "2023-10-20"]


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", identifiers.normalise_text(value)))


def assert_not_quoted(value: str, text: str) -> None:
    """Neither the value nor its digits (six or more) appear in a message."""
    assert value not in text, text
    d = digits_of(value)
    if len(d) >= 6:
        assert d not in re.sub(r"\D", "", text), text
    for word in re.findall(r"[^\W\d_]{4,}", value):
        if word.lower() not in {"example", "mail", "phone"}:
            assert word not in text, (word, text)


def scan(df: pd.DataFrame, labels=None, codebook=None, file="t0.sav", id_pattern=ID_PATTERN, exemptions=None):
    if codebook is None:
        labels = labels or {}
        codebook = pd.DataFrame({"variable": list(df.columns),
                                 "variable_label": [labels.get(c, "") for c in df.columns]})
    return [p for p in ingest.check_no_identifiers(df, codebook, file, "kod", exemptions, id_pattern=id_pattern)
            if p.severity == "error"]


def ids(n: int) -> list[str]:
    return [f"JH-{i:06d}" for i in range(n)]


def _kind_words(kind: str) -> str:
    return identifiers.KIND_PLURAL[kind].split(" (")[0]


# -- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_identifier_in_free_text_is_found_by_kind_and_row_never_quoted(context):
    misses = []
    for name, value, kind in IDENTIFIERS:
        text = context.format(value)
        df = pd.DataFrame({"kod": ids(5), "kommentar": [ORDINARY[0], ORDINARY[1], text, None, ORDINARY[3]]})
        problems = scan(df)
        hit = [p for p in problems if p.variable == "kommentar" and p.rows == (3,)
               and _kind_words(kind) in p.message]
        if not hit:
            misses.append((name, [str(p) for p in problems]))
        for p in problems:
            assert_not_quoted(value, str(p))
    assert not misses, misses


def test_personal_numbers_typed_into_numeric_items_are_found_also_as_floats():
    misses = []
    for century, yymmdd, tail in births(60, seed=3):
        if yymmdd.startswith("000"):
            continue      # born January-September 1900/2000: 7 digits are left (not judged, see number_kinds)
        for number in (float(yymmdd + tail), float(century + yymmdd + tail)):
            kind = identifiers.COORDINATION if int(yymmdd[4:]) > 60 else identifiers.PNR
            for col in (pd.Series([1.0, 2.0, number, np.nan, 5.0]),
                        pd.Series([1, 2, int(number), None, 5], dtype="Int64"),
                        pd.Series([1.0, 2.0, number, 3.0, 4.0], dtype="Float64")):
                problems = scan(pd.DataFrame({"kod": ids(5), "f9_1": col}))
                if not [p for p in problems if p.variable == "f9_1" and p.rows == (3,)
                        and _kind_words(kind) in p.message]:
                    misses.append(number)
                for p in problems:
                    assert_not_quoted(str(int(number)), str(p))
    # a mobile number that lost its leading zero in a numeric export
    problems = scan(pd.DataFrame({"kod": ids(4), "f11": [55.0, 701740605.0, 80.0, 90.0]}))
    assert [p.rows for p in problems if "phone numbers" in p.message] == [(2,)]
    assert not misses, misses


@pytest.mark.parametrize("value, kind", [(v, k) for _, v, k in IDENTIFIERS] + [(n, identifiers.NAME) for n in NAMES])
def test_identifiers_and_names_in_the_id_variable_are_found_without_quoting_them(value, kind):
    df = pd.DataFrame({"kod": [*ids(3), value, "JH-00000A"], "q1": [1, 2, 3, 4, 5]})
    problems = scan(df)
    assert [p.rows for p in problems if p.variable == "kod" and _kind_words(kind) in p.message] == [(4,)], problems
    for p in problems:
        assert_not_quoted(value, str(p))


def test_names_are_judged_only_where_a_pseudonym_is_expected():
    df = pd.DataFrame({"kod": ids(len(NAMES)), "kommentar": NAMES})
    assert scan(df) == []
    # a loose pattern that accepts names accepts them (the pattern is the study's decision)
    assert scan(pd.DataFrame({"kod": NAMES}), id_pattern=r".*") == []


@pytest.mark.parametrize("template", ["{}", "Telefon: {}", "Kontakt {} (fråga inte)"])
def test_identifiers_in_variable_labels_are_found(template):
    misses = []
    for name, value, kind in IDENTIFIERS:
        df = pd.DataFrame({"kod": ids(2), "f9_1": [1.0, 2.0]})
        problems = scan(df, labels={"f9_1": template.format(value)})
        if not [p for p in problems if p.variable == "f9_1" and "variable label" in p.message
                and identifiers.KIND_ONE[kind] in p.message]:
            misses.append(name)
        for p in problems:
            assert_not_quoted(value, str(p))
    assert not misses, misses


def _codebook(variable: str, **rows) -> pd.DataFrame:
    n = len(next(iter(rows.values())))
    base = {"variable": [variable] * n, "variable_label": [""] * n, "value": [np.nan] * n, "value_label": [""] * n,
            "user_missing": [False] * n, "value_text": pd.Series([pd.NA] * n, dtype="string")}
    base.update(rows)
    cb = pd.DataFrame(base)
    other = pd.DataFrame({"variable": ["kod"], "variable_label": [""], "value": [np.nan], "value_label": [""],
                          "user_missing": [False], "value_text": pd.Series([pd.NA], dtype="string")})
    return pd.concat([other, cb], ignore_index=True)


def test_identifiers_in_value_labels_are_found_with_their_code():
    misses = []
    for name, value, kind in IDENTIFIERS:
        cb = _codebook("f5", value=[1.0, 2.0, 3.0], value_label=["Svenska", "Arabiska", f"Tolk: {value}"])
        problems = scan(pd.DataFrame({"kod": ids(3), "f5": [1.0, 2.0, 3.0]}), codebook=cb)
        if not [p for p in problems if p.variable == "f5" and "value label of code 3" in p.message
                and identifiers.KIND_ONE[kind] in p.message]:
            misses.append(name)
        for p in problems:
            assert_not_quoted(value, str(p))
    assert not misses, misses


def test_personal_numbers_as_labelled_codes_and_labelled_text_values_are_found():
    misses = []
    for century, yymmdd, tail in births(30, seed=5):
        number = float(century + yymmdd + tail)
        cb = _codebook("v7", value=[1.0, number], value_label=["Ja", "Anna"])
        problems = scan(pd.DataFrame({"kod": ids(2), "v7": [1.0, 1.0]}), codebook=cb)
        if not [p for p in problems if p.variable == "v7" and "labelled code" in p.message]:
            misses.append(number)
        for p in problems:
            assert_not_quoted(str(int(number)), str(p))
        text = f"{yymmdd}-{tail}"
        cb = _codebook("v8", value=[np.nan], value_label=["Anna"], value_text=pd.Series([text], dtype="string"))
        problems = scan(pd.DataFrame({"kod": ids(2), "v8": ["x", "y"]}), codebook=cb)
        if not [p for p in problems if p.variable == "v8" and "labelled text value" in p.message]:
            misses.append(text)
        for p in problems:
            assert_not_quoted(text, str(p))
    assert not misses, misses


def test_identifiers_as_column_names_are_found_by_position_never_named():
    misses = []
    for name, value, kind in IDENTIFIERS:
        df = pd.DataFrame({"kod": ids(2), "f9_1": [1.0, 2.0], value: [3.0, 4.0]})
        problems = scan(df)
        if not [p for p in problems if p.variable is None and "name of column 3" in p.message
                and identifiers.KIND_ONE[kind] in p.message]:
            misses.append(name)
        err = ingest.identifier_error(scan(df), "t0.sav", "T0")
        for text in [str(p) for p in problems] + [str(err)]:
            assert_not_quoted(value, text)
    assert not misses, misses


def test_identifiers_in_the_file_name_are_found_and_never_repeated():
    misses = []
    for name, value, kind in IDENTIFIERS:
        file = f"enkat_{value}_T0.sav"
        problems = scan(pd.DataFrame({"kod": ids(2), "f9_1": [1.0, 2.0]}), file=file)
        if not [p for p in problems if p.file == "the wave file" and "file name" in p.message
                and identifiers.KIND_ONE[kind] in p.message]:
            misses.append(name)
        err = ingest.identifier_error(problems, file, "T0")
        for text in [str(p) for p in problems] + [str(err)]:
            assert_not_quoted(value, text)
    assert not misses, misses


def test_the_configuration_refuses_a_file_name_holding_an_identifier(small_study):
    text = (small_study / "study.yaml").read_text(encoding="utf-8")
    for _, value, kind in [PNRS[0], PHONES[0], EMAILS[0]]:
        bad = text.replace("file: waves/jh_T1_dec2024.sav", f"file: waves/svar {value}.sav")
        (small_study / "study.yaml").write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_config(small_study / "study.yaml")
        assert "waves.1.file: the file name looks like it holds " + identifiers.KIND_ONE[kind] in str(e.value)
        assert_not_quoted(value, str(e.value))
    with pytest.raises(Exception) as e:
        Attendance(file=f"{PNRS[0][1]}.csv")
    assert "the file name looks like it holds" in str(e.value)
    assert Wave.model_fields["file"] and Attendance(file="attendance.csv").file == "attendance.csv"


def test_the_attendance_register_is_scanned_in_every_column():
    spec = Attendance(file="attendance.csv")
    misses = []
    for name, value, _kind in IDENTIFIERS:
        reg = pd.DataFrame({"participant_id": ids(3), "workshop": ["Yoga", "Promenad", "Yoga"],
                            "visit_date": ["2024-01-05"] * 3, "anteckning": ["", value, ""]}, dtype="string")
        problems = [p for p in ingest.check_register_identifiers(reg, "attendance.csv", spec, ID_PATTERN)
                    if p.severity == "error"]
        if not [p for p in problems if p.variable == "anteckning" and p.rows == (2,)]:
            misses.append(("extra column", name))
        reg["participant_id"] = pd.array([*ids(2), value], dtype="string")
        problems = [p for p in ingest.check_register_identifiers(reg, "attendance.csv", spec, ID_PATTERN)
                    if p.severity == "error"]
        if not [p for p in problems if p.variable == "participant_id" and p.rows == (3,)]:
            misses.append(("ID column", name))
        for p in problems:
            assert_not_quoted(value, str(p))
    for n in NAMES:
        reg = pd.DataFrame({"participant_id": [*ids(2), n], "workshop": ["Yoga"] * 3,
                            "visit_date": ["2024-01-05"] * 3}, dtype="string")
        problems = ingest.check_register_identifiers(reg, "attendance.csv", spec, ID_PATTERN)
        if not [p for p in problems if p.variable == "participant_id" and "personal names" in p.message]:
            misses.append(("ID column", n))
    # a column named like a contact field, beyond the configured ones
    reg = pd.DataFrame({"participant_id": ids(2), "workshop": ["Yoga"] * 2, "visit_date": ["2024-01-05"] * 2,
                        "telefon": ["", ""]}, dtype="string")
    assert [p.variable for p in ingest.check_register_identifiers(reg, "attendance.csv", spec, ID_PATTERN)] \
        == ["telefon"]
    assert not misses, misses


def test_register_exemptions_need_a_reason_and_are_notes():
    with pytest.raises(Exception, match="give a reason"):
        Attendance(file="a.csv", identifier_exemptions={"ledare": "ok"})
    spec = Attendance(file="a.csv", identifier_exemptions={"ledare_namn": "names of the workshop leaders (staff)"})
    reg = pd.DataFrame({"participant_id": ids(2), "workshop": ["Yoga"] * 2, "visit_date": ["2024-01-05"] * 2,
                        "ledare_namn": ["Anna", "Omar"]}, dtype="string")
    (note,) = ingest.check_register_identifiers(reg, "a.csv", spec, ID_PATTERN)
    assert note.severity == "note" and "names of the workshop leaders" in note.message and "Omar" not in str(note)


def test_a_hit_in_an_exempted_column_is_a_note_that_never_quotes_it():
    df = pd.DataFrame({"kod": ids(2), "kontaktinfo": ["070-174 06 05", ""]})
    problems = ingest.check_no_identifiers(df, pd.DataFrame(), "t0.sav", "kod",
                                           {"kontaktinfo": "the health promoters' shared work phone"})
    (note,) = problems
    assert note.severity == "note" and "1 value(s) look like phone numbers" in note.message
    assert_not_quoted("070-174 06 05", str(note))


def test_corpus_size():
    """The corpus is as large as the report says (a guard against a shrinking corpus)."""
    assert len(PNRS) == 30 and len(PHONES) == 37 and len(EMAILS) == 11 and len(NAMES) == 12
    assert len(IDENTIFIERS) * len(CONTEXTS) == 858


# -- false positives ----------------------------------------------------------------------------


def strong(value) -> dict:
    """Kinds a single value stops ingestion with in an ordinary (non-code) column."""
    if isinstance(value, str):
        return {k: v for k, v in identifiers.text_kinds(value).items() if v >= identifiers.BARE}
    return {k: v for k, v in identifiers.number_kinds(value).items() if v >= identifiers.BARE}


def _fails_luhn(d: str) -> bool:
    return not identifiers.luhn_valid(d)


ten_digits = st.integers(10**9, 10**10 - 1).map(str)
ten_digits_failing_luhn = ten_digits.filter(_fails_luhn)
dates = st.dates(min_value=pd.Timestamp("1900-01-01").date(), max_value=pd.Timestamp("2099-12-31").date())
times = st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%d%m%Y", "%m/%d/%Y", "%d-%m-%Y", "%y%m%d",
                "%Y/%m/%d", "%d %B %Y", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%Y%m%d%H%M%S"]


@st.composite
def date_texts(draw):
    d = draw(dates)
    h, m, s = draw(times)
    fmt = draw(st.sampled_from(DATE_FORMATS))
    return pd.Timestamp(d.year, d.month, d.day, h, m, s).strftime(fmt)


amounts = st.one_of(
    st.integers(0, 10**9).map(lambda n: f"{n:,}".replace(",", " ") + " kr"),
    st.integers(0, 10**7).map(lambda n: f"{n // 100},{n % 100:02d}"),
    st.floats(0, 1e7, allow_nan=False).map(lambda x: f"{x:.2f}"),
    st.integers(0, 10**6).map(lambda n: f"{n} SEK"),
)
postcodes = st.integers(10000, 98499).flatmap(
    lambda n: st.sampled_from([f"{n}", f"{n // 100} {n % 100:02d}", f"{n // 100} {n % 100:02d} Malmö"]))
short_codes = st.one_of(st.sampled_from(["112", "1177", "114 14", "116 111", "90 000", "070", "08-16", "08-12 13-17",
                                         "kl 08.00-12.00", "2-3 ggr/vecka", "3/4", "45 %", "v. 42", "1-2-3"]),
                        st.integers(0, 99999).map(str))

SV = ("jag vi det är bra mycket mer tid verkstad hälsa kost träning promenad språk svenska tack hej barn familj "
      "kvinnor grupp ibland ofta aldrig vecka gånger timmar kl dag år månad tolk mamma pappa").split()
AR = "أنا نحن جيد جدا وقت ورشة صحة طعام رياضة مشي لغة شكرا مرحبا أطفال عائلة نساء مجموعة أحيانا".split()
SO = ("waan caafimaad wanaagsan aad waqti aqoon isboorti socod luqad mahadsanid salaan carruur qoys haween "
      "koox mararka qaarkood").split()
EN = "i we it is good very more time workshop health food walk language thanks hello children family".split()
WORDS = SV + AR + SO + EN
small_numbers = st.one_of(st.integers(0, 120).map(str), st.sampled_from(["kl 14.30", "08-16", "2023", "45 %",
                                                                         "3 ggr", "v. 12", "1 250 kr"]))
#: a Swedish phone number written with its area code ("08-16 10 10": Stockholm, six digits in
#: pairs); free text assembled from "08-16" and small numbers can spell one by chance, and
#: then the guard is right to flag it: such texts are not "ordinary" and are left out
_PHONE_SHAPED = re.compile(r"\b0\d{1,3}-\d{2,3}(?: \d{2}){2,3}\b")
free_text = st.lists(st.one_of(st.sampled_from(WORDS), small_numbers, date_texts()), min_size=1, max_size=25).map(
    " ".join).filter(lambda t: not _PHONE_SHAPED.search(t))
pseudonyms = st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=6, max_size=6).map(lambda s: "JH-" + s)

ORDINARY_STRATEGIES = {
    "10-digit codes failing the Luhn check": ten_digits_failing_luhn,
    "dates and timestamps": date_texts(),
    "amounts": amounts,
    "postcodes": postcodes,
    "short codes and phone-like service numbers": short_codes,
    "free text (sv, ar, so, en)": free_text,
    "pseudonyms": pseudonyms,
}


@pytest.mark.parametrize("name", list(ORDINARY_STRATEGIES))
def test_ordinary_answers_pass_the_guard(name):
    @settings(max_examples=400, **FUZZ)
    @given(value=ORDINARY_STRATEGIES[name])
    def check(value):
        assert strong(value) == {}, value

    check()


@settings(max_examples=300, **FUZZ)
@given(values=st.lists(st.one_of(st.integers(0, 10).map(float), st.floats(1, 5), st.integers(0, 100).map(float),
                                 st.integers(1900, 2030).map(float), ten_digits_failing_luhn.map(float),
                                 st.integers(-99, 999).map(float)), min_size=1, max_size=40))
def test_numeric_columns_of_codes_years_and_failing_codes_pass(values):
    assert identifiers.scan_column(pd.Series(values, dtype="float64")) == {}


@settings(max_examples=100, **FUZZ)
@given(codes=st.lists(ten_digits, min_size=20, max_size=200))
def test_a_column_of_random_10_digit_codes_passes_though_some_look_like_personal_numbers(codes):
    """About 0.7 % of random 10-digit codes have a valid date and check digit; in a column of
    long codes they are judged by the share rule, so the column passes."""
    assert identifiers.scan_column(pd.Series(codes, dtype="string")) == {}
    assert identifiers.scan_column(pd.Series([float(c) for c in codes])) == {}


@settings(max_examples=200, **FUZZ)
@given(texts=st.lists(free_text, min_size=1, max_size=30), ids_=st.lists(pseudonyms, min_size=1, max_size=30))
def test_columns_of_free_text_and_the_pseudonym_variable_pass(texts, ids_):
    assert identifiers.scan_column(pd.Series(texts, dtype="string")) == {}
    assert identifiers.scan_column(pd.Series(ids_, dtype="string"), id_pattern=ID_PATTERN) == {}


def measured_false_positive_rates(n: int = 4000, seed: int = 15) -> dict[str, tuple[int, int]]:
    """``category -> (flagged, generated)`` on a seeded sample (the numbers in docs/publishing.md)."""
    rng = random.Random(seed)
    out = {}
    samples = {
        "10-digit codes failing the Luhn check": lambda: next(
            d for d in iter(lambda: str(rng.randint(10**9, 10**10 - 1)), None) if _fails_luhn(d)),
        "random 10-digit codes (any)": lambda: str(rng.randint(10**9, 10**10 - 1)),
        "dates and timestamps": lambda: pd.Timestamp(rng.randint(1900, 2099), rng.randint(1, 12), rng.randint(1, 28),
                                                     rng.randint(0, 23), rng.randint(0, 59)).strftime(
            rng.choice(DATE_FORMATS)),
        "timestamps YYYYMMDDhhmm": lambda: pd.Timestamp(rng.randint(2000, 2030), rng.randint(1, 12),
                                                        rng.randint(1, 28), rng.randint(0, 23),
                                                        rng.randint(0, 59)).strftime("%Y%m%d%H%M"),
        "amounts": lambda: f"{rng.randint(0, 10**9):,}".replace(",", " ") + " kr",
        "postcodes": lambda: f"{rng.randint(100, 984)} {rng.randint(0, 99):02d}",
        "free text (sv, ar, so, en)": lambda: " ".join(
            rng.choice(WORDS) if rng.random() < 0.8 else str(rng.randint(0, 120)) for _ in range(rng.randint(1, 25))),
        "Likert codes, VAS, years": lambda: str(rng.choice([rng.randint(0, 10), rng.randint(0, 100),
                                                            rng.randint(1900, 2030)])),
    }
    for name, draw in samples.items():
        flagged = sum(bool(strong(draw())) for _ in range(n))
        out[name] = (flagged, n)
    return out


def test_measured_false_positive_rates():
    rates = measured_false_positive_rates()
    for name, (flagged, n) in rates.items():
        if name == "random 10-digit codes (any)":
            # those that pass the date and check-digit tests are shaped like personal numbers:
            # flagged one by one in free text (~0.7 %), never as a column of codes (test above)
            assert flagged / n < 0.015, rates
        else:
            assert flagged == 0, (name, rates)
