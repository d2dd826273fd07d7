"""Inputs of the partner-survey R references (tests/unit/data/reference_stats/partner_*.csv).

``python tests/unit/partner_reference_data.py`` rewrites ``partner_items.csv`` (the example
study's two partner surveys as canonical items, user-missing codes set to missing) and
the two hand-made item tables with missing values. The R script
``r_reference_partnership.R`` reads them; ``test_partnership_reference.py`` checks that
``partner_items.csv`` still equals the example data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from studyconfig.config import DEFAULT_CONFIG, load_config

REF = Path(__file__).resolve().parent / "data" / "reference_stats"


def canonical_partner_items(config_path=DEFAULT_CONFIG) -> pd.DataFrame:
    """The partner surveys of a study as one frame: ``year, group`` and canonical items."""
    cfg = load_config(config_path)
    frames = []
    for p in cfg.partner_surveys:
        raw = pd.read_csv(cfg.resolve(p.file), encoding=p.encoding)
        items = raw[list(p.mapping)].astype(float)
        for var in p.mapping:
            for code in p.missing_codes.for_variable(var):
                items.loc[items[var] == code, var] = np.nan
        items = items.rename(columns=p.mapping)
        items.insert(0, "group", raw[p.group_variable].astype("Int64"))
        items.insert(0, "year", p.year)
        frames.append(items)
    return pd.concat(frames, ignore_index=True)


def hand_made() -> dict[str, pd.DataFrame]:
    """Two small item tables with missing values (for psych::alpha)."""
    a = pd.DataFrame({
        "i1": [1, 2, 3, 4, 5, 2, np.nan, 4, 3],
        "i2": [2, 2, 3, 5, 4, 1, 3, np.nan, 3],
        "i3": [1, 3, 3, 4, 4, 2, 2, 5, np.nan],
        "i4": [2, 1, 4, 4, 5, 2, 3, 4, 2],
    })
    rng = np.random.default_rng(20250101)
    base = rng.integers(1, 6, size=(14, 1))
    b = np.clip(base + rng.integers(-1, 2, size=(14, 5)), 1, 5).astype(float)
    b[:, 1] = 6 - b[:, 1]  # item 2 worded the other way round: reverse-keyed
    b[rng.random((14, 5)) < 0.12] = np.nan
    return {"a": a, "b": pd.DataFrame(b, columns=[f"e2_synergy_{i:02d}" for i in range(1, 6)])}


def main() -> None:
    REF.mkdir(parents=True, exist_ok=True)
    canonical_partner_items().astype("Int64").to_csv(REF / "partner_items.csv", index=False, lineterminator="\n")
    for name, df in hand_made().items():
        df.astype("Int64").to_csv(REF / f"partner_alpha_missing_{name}.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
