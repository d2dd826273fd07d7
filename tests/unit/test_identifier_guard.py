"""The identifier guard (pure layer): Swedish personal identity and coordination numbers,
e-mail addresses, phone numbers and name/address fields stop ingestion; dates, codes and
pseudonyms do not; exemptions need a reason and are reported as notes. Messages never
hold a value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from privacy import identifiers
from survey import ingest


def luhn_digit(nine: str) -> str:
    """The check digit that makes ``nine`` + digit pass the Luhn test (independent of the
    implementation under test: brute force over 0-9)."""
    def total(s):
        return sum(sum(divmod(int(c) * (2 if i % 2 == 0 else 1), 10)) for i, c in enumerate(s))
    return next(str(c) for c in range(10) if (total(nine) + c) % 10 == 0)


def pnr(yymmdd: str, serial: str = "123", sep: str = "-", century: str = "") -> str:
    return f"{century}{yymmdd}{sep}{serial}{luhn_digit(yymmdd + serial)}"


def scan(df: pd.DataFrame, labels: dict | None = None, id_variable: str = "kod", exemptions=None):
    labels = labels or {}
    cb = pd.DataFrame({"variable": list(df.columns), "variable_label": [labels.get(c, "") for c in df.columns]})
    return ingest.check_no_identifiers(df, cb, "t1.sav", id_variable, exemptions)


def flagged(df, **kw) -> set[str]:
    return {p.variable for p in scan(df, **kw) if p.severity == "error"}


# -- Luhn and personal numbers --------------------------------------------------------


def test_luhn_known_numbers():
    assert ingest.luhn_valid("8112189876")          # Skatteverket's example 811218-9876
    assert ingest.luhn_valid("7010632391")          # coordination number 701063-2391
    assert not ingest.luhn_valid("8112189875")
    assert not ingest.luhn_valid("81121898x6") and not ingest.luhn_valid("")
    for nine in ("850101123", "000229456", "991231999"):
        assert ingest.luhn_valid(nine + luhn_digit(nine))
        assert not ingest.luhn_valid(nine + str((int(luhn_digit(nine)) + 1) % 10))


@pytest.mark.parametrize("text, kind", [
    ("811218-9876", "personal identity number"),
    ("811218+9876", "personal identity number"),      # 100 years or older
    ("19811218-9876", "personal identity number"),
    ("198112189876", "personal identity number"),
    ("8112189876", "personal identity number"),
    ("701063-2391", "coordination number"),           # day 03 + 60
    ("19701063-2391", "coordination number"),
    (pnr("000229"), "personal identity number"),      # leap day 2000
    ("811218-9875", None),                            # wrong check digit
    ("811318-9876", None),                            # month 13
    ("811232-9876", None),                            # day 32 (not a coordination day either)
    ("21811218-9876", None),                          # century 21
    ("2023-10-20", None), ("20231020", None), ("123456", None), ("JH-0FCA07", None),
])
def test_personal_number_kind(text, kind):
    assert ingest.personal_number_kind(text) == kind


# -- values ---------------------------------------------------------------------------


def test_text_personal_numbers_with_separator_stop_at_the_first_value():
    values = [pnr("850101")] + ["fri text"] * 99
    df = pd.DataFrame({"kod": [f"JH-{i:06d}" for i in range(100)], "kommentar": values})
    (p,) = scan(df)
    assert p.variable == "kommentar" and p.count == 1 and p.rows == (1,) and p.severity == "error"
    assert "Swedish personal identity numbers (valid date and check digit)" in p.message
    assert values[0] not in str(p) and values[0][:6] not in str(p)


def test_personal_number_inside_free_text_and_coordination_numbers():
    df = pd.DataFrame({"kod": ["JH-1", "JH-2", "JH-3"],
                       "kommentar": ["mitt nr är 701063-2391 ok", None, "inget"],
                       "v2": ["19701063-2391", "19701063-2391", None]})
    problems = {p.variable: p for p in scan(df)}
    assert set(problems) == {"kommentar", "v2"}
    assert "coordination numbers" in problems["kommentar"].message and problems["kommentar"].rows == (1,)
    assert problems["v2"].count == 2


def test_invalid_check_digits_are_not_personal_numbers():
    bad = [pnr("850101")[:-1] + str((int(pnr("850101")[-1]) + 1) % 10)] * 5
    assert flagged(pd.DataFrame({"kod": ["JH-1"] * 5, "v": bad})) == set()


def test_numeric_columns_holding_personal_numbers_as_spss_stores_them():
    twelve = [float(pnr(d, s, sep="", century="19")) for d, s in [("811218", "987"), ("850101", "123"),
                                                                   ("640823", "321"), ("920229", "555")]]
    ten = pd.array([int(pnr(d, sep="")) for d in ("811218", "850101", "640823", "920229")], dtype="Int64")
    nine = [float(pnr(d, sep="")) for d in ("050101", "011231", "090615", "030303")]  # 200x: leading 0 lost
    df = pd.DataFrame({"kod": ["JH-1", "JH-2", "JH-3", "JH-4"], "a": twelve, "b": ten, "c": nine,
                       "answers": [1.0, 2.0, 3.0, np.nan]})
    problems = {p.variable: p for p in scan(df)}
    assert set(problems) == {"a", "b", "c"}
    assert all(p.count == 4 and "personal identity numbers" in p.message for p in problems.values())


def test_personal_numbers_as_the_study_code_are_caught_too():
    df = pd.DataFrame({"kod": [pnr("850101"), pnr("901224", "456")], "q1": [1, 2]})
    (p,) = scan(df)
    assert p.variable == "kod" and p.count == 2


def test_email_addresses():
    df = pd.DataFrame({"kod": ["JH-1", "JH-2", "JH-3"], "kontakt": ["anna.svensson@example.se", None, None],
                       "kommentar": ["Skriv till mig på a_b@mail.example.com tack", "bra", "ok"]})
    problems = {p.variable: p for p in scan(df)}
    assert set(problems) == {"kontakt", "kommentar"}
    assert "e-mail addresses" in problems["kontakt"].message
    assert "anna" not in str(problems["kontakt"]) and "example" not in str(problems["kommentar"])


@pytest.mark.parametrize("number", ["070-123 45 67", "073-1234567", "076 123 45 67", "+46 70 123 45 67",
                                    "+46701234567", "0046 70-123 45 67", "+46 (0)40 12 34 56"])
def test_phone_numbers_in_swedish_formats_stop_at_the_first_value(number):
    df = pd.DataFrame({"kod": [f"JH-{i}" for i in range(20)], "v": [number] + ["x"] * 19})
    (p,) = scan(df)
    assert "phone numbers" in p.message and p.count == 1 and number not in str(p)


def test_bare_phone_numbers_need_a_majority_of_a_column_of_long_codes():
    # among long numeric codes a bare mobile-like number may be a code: the share rule
    codes = [f"{4_000_000_000 + 7919 * i:010d}" for i in range(9)]
    few = pd.DataFrame({"kod": [f"JH-{i}" for i in range(10)], "v": ["0701234567"] + codes})
    assert flagged(few) == set()
    # among short answers it is not a code (changed in issue 15: it used to need a majority)
    alone = pd.DataFrame({"kod": [f"JH-{i}" for i in range(10)], "v": ["0701234567"] + [str(i) for i in range(9)]})
    assert flagged(alone) == {"v"}
    many = pd.DataFrame({"kod": ["JH-1", "JH-2", "JH-3"], "v": ["0701234567", "0739876543", None]})
    assert flagged(many) == {"v"}
    numeric = pd.DataFrame({"kod": ["JH-1", "JH-2"], "mob": [701234567.0, 739876543.0]})  # leading 0 lost
    assert flagged(numeric) == {"mob"}


# -- false positives --------------------------------------------------------------------


def test_survey_dates_times_and_timestamps_are_not_identifiers():
    stamps = pd.date_range("2023-10-01 08:00", periods=60, freq="37min")
    df = pd.DataFrame({
        "kod": [f"JH-{i:06d}" for i in range(60)],
        "svarsdatum": [d.date() for d in stamps],
        "datum_text": [d.strftime("%Y-%m-%d") for d in stamps],
        "datum_se": [d.strftime("%d/%m/%Y") for d in stamps],
        "datum_kompakt": [d.strftime("%Y%m%d") for d in stamps],
        "tid": [d.strftime("%Y-%m-%d %H:%M") for d in stamps],
        "tidsstampel": [float(d.strftime("%Y%m%d%H%M")) for d in stamps],   # 12 digits like YYYYMMDDNNNN
        "tidsstampel_text": [d.strftime("%Y%m%d%H%M") for d in stamps],
    })
    assert flagged(df, labels={"svarsdatum": "Datum", "datum_text": "Datum"}) == set()


def test_codes_and_pseudonyms_are_not_identifiers():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({
        "kod": [f"JH-{i:06X}" for i in range(200)],
        "lopnr": np.arange(200, dtype=float),                                  # running numbers
        "id6": [f"{x:06d}" for x in rng.integers(0, 10**6, 200)],             # 6-digit IDs
        "id6_num": rng.integers(100000, 999999, 200).astype(float),
        "code10": [f"{x:010d}" for x in rng.integers(10**9, 10**10, 200)],     # random 10-digit codes
        "code10_num": rng.integers(10**9, 10**10, 200).astype("float64"),
        "postkod_like": [f"0{rng.integers(1, 9)}-{rng.integers(10, 99)} {rng.integers(10, 99)}" for _ in range(200)],
        "answers": rng.integers(1, 6, 200).astype(float),
        "vas": rng.integers(0, 101, 200).astype(float),
        "kommentar": ["bra verkstad", "mer tid 2023-10-20", "ring om 10 min", "070", *["" for _ in range(196)]],
    })
    assert flagged(df) == set()


def test_a_single_weak_match_in_a_large_column_is_not_enough():
    values = [pnr("850101", sep="")] + [f"{i:010d}" for i in range(1000, 1099)]
    assert flagged(pd.DataFrame({"kod": ["JH-1"] * 100, "v": values})) == set()


# -- names and labels -------------------------------------------------------------------


@pytest.mark.parametrize("name, kind", [
    ("personnummer", "personal identity number"), ("pnr", "personal identity number"),
    ("person_nr", "personal identity number"), ("samordningsnummer", "personal identity number"),
    ("fornamn", "name"), ("Förnamn", "name"), ("efternamn", "name"), ("namn", "name"),
    ("first_name", "name"), ("LastName", "name"), ("Name", "name"),
    ("email", "e-mail address"), ("e_post", "e-mail address"), ("E-postadress", "e-mail address"),
    ("telefon", "phone number"), ("mobil", "phone number"), ("mobilNr", "phone number"),
    ("telefonnummer", "phone number"), ("phone", "phone number"),
    ("adress", "postal address"), ("gatuadress", "postal address"), ("address", "postal address"),
    ("postnummer", "postal address"), ("post_nr", "postal address"), ("zip", "postal address"),
    ("födelsedatum", "date of birth"),
    # not identifiers
    ("lopnr_kod", None), ("lopnr", None), ("eq_mobilitet", None), ("f9_1", None), ("enkatsprak", None),
    ("tolkstod", None), ("svarsform", None), ("hl_12", None), ("q3_eqvas", None), ("bg_fodreg", None),
    ("svarsdatum", None), ("insamlingssatt", None),
])
def test_identifier_names(name, kind):
    assert ingest.identifier_name_kind(name) == kind


def test_names_and_short_labels_flag_even_empty_columns_long_questions_do_not():
    df = pd.DataFrame({"kod": ["JH-1"], "fornamn": [None], "v12": ["x"], "v13": ["y"], "q7": [3.0],
                       "pnr_kod": ["JH-1"]})
    labels = {"v12": "Deltagarens namn", "v13": "E-post", "q7": "Hur ofta träffar du grannar som du vet namnet på?"}
    problems = {p.variable: p for p in scan(df, labels=labels)}
    assert set(problems) == {"fornamn", "v12", "v13", "pnr_kod"}
    assert "variable name suggests a name" in problems["fornamn"].message
    assert "variable label suggests a name" in problems["v12"].message
    assert "variable label suggests an e-mail address" in problems["v13"].message
    # the label's text is never quoted (issue 15: a label may itself hold an identifier)
    assert problems["v13"].found is None and "E-post" not in str(problems["v13"])
    # the configured ID variable is not judged by its name
    assert flagged(pd.DataFrame({"pnr_kod": ["JH-1"]}), id_variable="pnr_kod") == set()


# -- exemptions --------------------------------------------------------------------------


def test_exemption_skips_the_variable_and_reports_its_reason_as_a_note():
    df = pd.DataFrame({"kod": ["JH-1", "JH-2"], "verkstad_namn": ["Munhälsa", "Kost"], "q1": [1, 2]})
    assert flagged(df) == {"verkstad_namn"}
    problems = scan(df, exemptions={"verkstad_namn": "names of the health workshops, not of people"})
    (note,) = problems
    assert note.severity == "note" and note.variable == "verkstad_namn" and note.check == "identifier_exemption"
    assert "exempted from the identifier guard, reason: 'names of the health workshops, not of people'" in str(note)
    assert "without the exemption the guard would report: the variable name suggests a name" in str(note)
    assert "Munhälsa" not in str(note)
    assert ingest.identifier_error(problems, "t1.sav", "T1") is None


def test_unknown_exemption_is_a_warning_with_a_suggestion():
    df = pd.DataFrame({"kod": ["JH-1"], "verkstad_namn": ["Kost"]})
    problems = scan(df, exemptions={"verkstad_nman": "names of the health workshops"})
    by_sev = {p.severity: p for p in problems}
    assert set(by_sev) == {"error", "warning"}
    assert by_sev["warning"].variable == "verkstad_nman" and "did you mean 'verkstad_namn'" in str(by_sev["warning"])


def test_identifier_error_lists_every_variable_without_values():
    df = pd.DataFrame({"kod": ["JH-1", "JH-2"], "mail": ["a@b.se", "c@d.se"], "pnr": [pnr("850101"), None]})
    err = ingest.identifier_error(scan(df), "t1.sav", "T1")
    assert isinstance(err, ingest.IdentifierError) and isinstance(err, ingest.WaveError)
    text = str(err)
    assert text.startswith("t1.sav (wave T1): 2 variable(s) look like direct identifiers, so the file was not stored")
    assert "'mail'" in text and "'pnr'" in text and "2 value(s) look like e-mail addresses; rows 1, 2" in text
    assert "a@b.se" not in text and pnr("850101") not in text


def test_a_date_written_as_eight_digits_is_not_the_start_of_a_mobile_number():
    """Found by the property test: "07012000 08-16" (a date, then opening hours) read as
    070-120 00 08."""
    assert identifiers.scan_column(pd.Series(["07012000 08-16"], dtype="string")) == {}
    assert identifiers.scan_column(pd.Series(["ring 070-120 00 08"], dtype="string")) != {}
