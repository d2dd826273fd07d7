"""The attacker against the real pipeline: generate small studies, run the pipeline, read
every published file and try every attack (``attacks.py``); no verified recovery allowed.

Two sweeps:

* the **small sweep** (always; marked ``slow``): three studies (12, 25 and 40 participants,
  k = 5 and k = 3), about 25 s of pipeline each on a quiet 2-core machine (figures as SVG
  only: ``publishing.figure_formats``);
* the **large sweep** (opt-in): ``JH_ATTACK_STUDIES=50 pytest tests/attack -k large``
  runs 50 generated studies (10-40 participants) for each of k = 5 and k = 3, about
  45 min; ``tests/attack/run_attacks.py`` prints the same sweep as a summary table.

A study whose pipeline run fails is recorded with its error class and counts neither as
safe nor as recovered; at least one study of the small sweep must complete, so the test
cannot pass by crashing.
"""

from __future__ import annotations

import os

import attacks
import pytest
import run_attacks
import sweep


def substantive(rows: list[dict]) -> list:
    """Verified recoveries other than item non-response.

    The number of people who did not answer an item (a population total minus the valid
    answers of an item, of complete pairs or of complete scales) is published as in every
    survey report: ``publishing.protect_item_nonresponse`` is off by default (docs/publishing.md,
    "Item non-response"). With it on, those count as well (:func:`test_item_nonresponse_protected_when_asked`).
    """
    return [x for r in rows for x in r["recoveries"]
            if x.category != "non-response" or r.get("protect_nonresponse")]


#: (participants, seed, k): the studies of the small sweep
SMALL_SWEEP = [(12, 7, 5), (25, 3, 3), (40, 1, 5)]
#: one more study with ``publishing.protect_item_nonresponse: true``
NONRESPONSE_STUDY = (25, 3, 3)


def _describe(rows: list[dict], limit: int = 25) -> str:
    lines = [attacks.summarise(rows), ""]
    for r in rows:
        for x in [x for x in r["recoveries"] if x in substantive([r])][:limit]:
            lines.append(f"{x.study} | {x.attack} | {', '.join(x.files)} | {x.what} | {x.group} | {x.value}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> list[dict]:
    rows = []
    for participants, seed, k in SMALL_SWEEP:
        root = tmp_path_factory.mktemp(f"attack_n{participants}_s{seed}_k{k}")
        rows.append(sweep.attack_study(root, participants, seed, k))
    print("\n" + attacks.summarise(rows))
    for r in rows:
        print(f"{r['study']}: {r['status']}; pipeline {r['seconds_pipeline']} s, attack {r.get('seconds_attack', '-')} s")
    return rows


@pytest.mark.slow
def test_small_sweep_ran_and_the_attacker_read_everything(small_sweep):
    done = [r for r in small_sweep if r["status"] == "ok"]
    assert done, "every study of the small sweep failed: " + "; ".join(r["status"] for r in small_sweep)
    for r in done:
        rel = attacks.load_release(r["folder"], r["k"])
        # the attacker saw the tables, both reports in both formats, the figures' text
        assert len(rel.tables) >= 10 and {"table1", "participant_flow"} <= set(rel.tables)
        assert sum(1 for f in rel.texts if f.startswith("report")) == 4
        assert sum(1 for f in rel.svg_lines if rel.svg_lines[f]) >= 10
        assert r["n_facts"] > 100 and r["n_numbers"] > 1000
        # every count column of every table is understood (a new table needs a line in
        # attacks.row_groups), and the text parsers still match the report's sentences
        assert r["unmapped"] == [], f"the attacker cannot place {r['unmapped']}: extend attacks.row_groups"
        assert r["parsed"].get("attrition sentences") == 4 * r["n_comparisons"], r["parsed"]
        assert r["parsed"].get("summary sentences") == 4, r["parsed"]
        if r["participants"] >= 25:   # (in the 12-person study every stacked bar is withheld)
            assert r["parsed"].get("stacked bars", 0) >= 2, r["parsed"]


@pytest.mark.slow
def test_no_recovery_and_no_false_statement_in_the_small_sweep(small_sweep):
    done = [r for r in small_sweep if r["status"] == "ok"]
    assert len(done) == len(small_sweep), [r["status"] for r in small_sweep]   # no study may crash
    assert not substantive(done), _describe(done)
    # "<k" printed for a group that has k or more persons: the text must not misstate
    false = [s for r in done for s in r["false_statements"]]
    assert not false, false


@pytest.mark.slow
def test_item_nonresponse_protected_when_asked(tmp_path):
    """With ``protect_item_nonresponse: true`` not even the number of people who skipped an
    item can be worked out (the study of the small sweep where it could)."""
    participants, seed, k = NONRESPONSE_STUDY
    r = sweep.attack_study(tmp_path, participants, seed, k, protect_nonresponse=True)
    r["protect_nonresponse"] = True
    print("\n" + attacks.summarise([r]))
    assert r["status"] == "ok", r["status"]
    assert not substantive([r]), _describe([r])
    assert not r["false_statements"]


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("JH_ATTACK_STUDIES"),
                    reason="large sweep: set JH_ATTACK_STUDIES (e.g. 50) to run it")
def test_no_recovery_in_the_large_sweep(tmp_path_factory):
    n = int(os.environ["JH_ATTACK_STUDIES"])
    rows = []
    for participants, seed, k in run_attacks.plan(n, 100, [5, 3]):
        root = tmp_path_factory.mktemp(f"large_n{participants}_s{seed}_k{k}")
        rows.append(sweep.attack_study(root, participants, seed, k))
    print("\n" + attacks.summarise(rows))
    done = [r for r in rows if r["status"] == "ok"]
    assert done
    assert not substantive(done), _describe(done)
    assert not [s for r in done for s in r["false_statements"]]
