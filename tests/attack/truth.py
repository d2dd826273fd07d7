"""Ground truth of a generated study, used ONLY to confirm that an attack's recovery is real.

The attacker (:mod:`attacks`) reads nothing but the published release. Each recovery it
claims names a *group of persons* in the small vocabulary below (a tuple), plus the count or
the values it believes that group has. :class:`StudyTruth` evaluates such a group on the
study's raw data -- the generated ``.sav`` waves, the attendance register and
``study.yaml`` -- with the project's pure library (``survey.ingest`` to read and
harmonise, ``survey.study.score_wave`` / ``instruments`` to score, ``analysis.cohort``
for the recurring-participant definitions), never with the publishing code whose output is
being attacked.

Group vocabulary (every group is a set of participant IDs; ``pop`` is ``"all"`` or
``"recurring"`` = recurring under the primary definition in any comparison, the population
of Table 1's and the wave summaries' recurring rows; ``definition`` is ``"attendance"``,
``"both"`` or ``"primary"``):

=====================================================  ========================================
``("resp", wave, pop)``                                respondents (a row in the wave file)
``("answered", wave, pop, var)``                       ... with ``var`` not missing
``("level", wave, pop, var, levels)``                  ... with ``var`` one of ``levels``
``("flow", pre, post, stage)``                         participant flow (presence = a primary
                                                       outcome answered): ``assessed_pre``,
                                                       ``assessed_post``, ``lost``,
                                                       ``lost_attending``,
                                                       ``lost_not_attending``, ``new``,
                                                       ``both``, ``excluded_attendance``,
                                                       ``analysed_attendance``, ``reached``
                                                       (a visit between the wave dates)
``("pairs", pre, post, definition, var)``              members with ``var`` at both waves
``("pairs_cells", pre, post, var, a, b)``              primary pairs with ``var`` a -> b
``("pairs_sign", pre, post, var, sign)``               primary pairs whose change is ``pos``,
                                                       ``neg``, ``zero`` or ``nonzero``
``("responders", pre, post, var, category)``           ``improved`` / ``worsened`` /
                                                       ``unchanged`` by the MID
``("pchc_pairs", pre, post)``                          primary pairs with all EQ-5D dims
``("pchc", pre, post, dimension, category)``           PCHC category (``overall`` or a dim)
``("eq5d_answered", wave, dim)``                       recurring answering an EQ-5D dimension
``("eq5d_problem", wave, dim)``                        ... with level > 1
``("hl_level", wave, level)``                          recurring with that HLS-EU-Q16 level
``("eq5d_levels", wave, dim, levels)``                 recurring with an EQ-5D dimension at one
                                                       of ``levels`` (the profile's groups)
``("eq5d_complete", wave)`` / ``("eq5d_full", ...)``   recurring with all five dimensions /
                                                       in full health (11111)
``("model_groups", var)``                              recurring with ``var`` at any wave
``("reach", period, workshop)``                        persons with a visit in the attendance
                                                       register in ``period`` (``YYYY-H1`` /
                                                       ``YYYY-H2`` / ``all``) to ``workshop``
                                                       (or ``all``)
``("dropout", pre, post)`` / ``("completer", ...)``    baseline respondents without / with a
                                                       row at ``post`` (the attrition table)
``("dropout_answered", pre, post, var)``               dropouts with ``var`` at baseline
``("dropout_level", pre, post, var, levels)``          dropouts with ``var`` in ``levels``
``("minus", A, B)``                                    A without B
``("union", A, B, ...)``                               A or B or ...
=====================================================  ========================================

Count-only groups (no member list; used where the attacker only differences counts):
``("model_obs", var)`` (observations in the mixed model) and
``("rel_complete", wave, instrument, scale)`` (complete item responses of a scale).
``("minus", A, B)`` with a count-only part is ``count(A) - count(B)``.

Values: ``("score", wave, var)`` (the value at a wave) or ``("change", pre, post, var)``
(post - pre), evaluated for every member of a group.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

import instruments
from analysis import cohort
from studyconfig.config import COVARIATES, load_config
from survey import ingest
from survey import study as study_glue

FLOW_STAGES = ("assessed_pre", "assessed_post", "lost", "new", "both", "excluded_attendance", "analysed_attendance")
COUNT_ONLY = ("model_obs", "rel_complete")


class UnknownGroup(KeyError):
    """The attacker named a group this vocabulary does not know (the claim stays unverified)."""


class StudyTruth:
    """The true populations behind a generated study's release.

    Parameters
    ----------
    study_yaml : path
        The study configuration written by ``tools.example_study.generate_study``.

    Examples
    --------
    >>> import tempfile
    >>> from tools.example_study import generate_study
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = generate_study(d, participants=12, seed=1, truth_n=2000)
    >>> t = StudyTruth(d / "study.yaml")
    >>> t.count(("resp", "T0", "all"))
    12
    >>> t.count(("minus", ("resp", "T0", "all"), ("resp", "T0", "recurring"))) == 12 - t.count(("resp", "T0", "recurring"))
    True
    """

    def __init__(self, study_yaml):
        self.config = config = load_config(Path(study_yaml))
        study_glue.register_study_scales(config)
        frames, self.harmonised = [], {}
        for w in config.waves:
            raw = ingest.read_wave(config.wave_path(w.id), encoding=w.encoding, id_variable=w.id_variable)
            h = ingest.harmonise(raw, w, study_glue.dont_know_codes(w))
            self.harmonised[w.id] = h.data
            scored, _ = study_glue.score_wave(h.data, w, config)
            frames.append(scored)
        panel = pd.concat(frames, ignore_index=True)
        panel["wave"] = pd.Categorical(panel["wave"], categories=config.wave_ids, ordered=True)
        self.panel = panel
        self.k = config.publishing.k_min_cell
        self.primary_definition = "attendance" if config.recurring.definition == "attendance" else "both"
        self.comparisons = [tuple(c) for c in config.analysis.comparisons]
        self.wave_dates = {w.id: pd.Timestamp(w.date) for w in config.waves}
        if config.attendance is not None:
            reg = ingest.read_attendance(config.resolve(config.attendance.file), config.attendance)
            self.attendance = reg.rename(columns={"visit_date": "date"})[["participant_id", "date"]]
            # the reach groups, by calendar half-year (computed here, not by analysis.reach)
            d = pd.to_datetime(reg["visit_date"])
            self.register = pd.DataFrame({"participant_id": reg["participant_id"].astype(str),
                                          "workshop": reg["workshop"].astype(str),
                                          "period": d.dt.year.astype(str) + np.where(d.dt.month <= 6, "-H1", "-H2")})
        else:
            self.attendance = None
            self.register = pd.DataFrame(columns=["participant_id", "workshop", "period"])
        self._members: dict = {}
        self._counts: dict = {}
        self._by_wave = {w: panel[panel["wave"] == w].set_index("participant_id") for w in config.wave_ids}

    # -- cohorts -----------------------------------------------------------------------

    def _cohort(self, pre, post, outcomes=None) -> pd.DataFrame:
        return cohort.recurring_cohort(self.panel, pre, post, attendance=self.attendance,
                                       wave_dates=self.wave_dates,
                                       min_visits_per_week=self.config.recurring.min_visits_per_week,
                                       outcomes=outcomes)

    @cached_property
    def cohorts(self) -> dict:
        """(pre, post) -> recurring_cohort as the analysis assets build it (any row = present)."""
        return {c: self._cohort(*c) for c in self.comparisons}

    @cached_property
    def flow_cohorts(self) -> dict:
        """(pre, post) -> recurring_cohort with presence = a primary outcome answered (the flow)."""
        return {c: self._cohort(*c, outcomes=self.config.analysis.primary_outcomes) for c in self.comparisons}

    @cached_property
    def recurring_any(self) -> frozenset:
        frames = [c.assign(pre=pre, post=post) for (pre, post), c in self.cohorts.items()]
        return frozenset(study_glue.recurring_ids(self.config, pd.concat(frames, ignore_index=True)))

    def members(self, pre, post, definition) -> frozenset:
        definition = self.primary_definition if definition == "primary" else definition
        c = self.cohorts[(pre, post)]
        col = "recurring_attendance" if definition == "attendance" else "recurring_both_waves"
        return frozenset(c.loc[c[col].fillna(False).astype(bool), "participant_id"])

    # -- helpers -------------------------------------------------------------------------

    def _wave(self, wave, pop) -> pd.DataFrame:
        if wave not in self._by_wave:
            raise UnknownGroup(("wave", wave))
        d = self._by_wave[wave]
        if pop == "recurring":
            d = d[d.index.isin(self.recurring_any)]
        elif pop != "all":
            raise UnknownGroup(("population", pop))
        return d

    def _col(self, d: pd.DataFrame, var) -> pd.Series:
        if var not in d.columns:
            raise UnknownGroup(("variable", var))
        return d[var]

    def _pairs(self, pre, post, definition, var) -> pd.DataFrame:
        ids = self.members(pre, post, definition)
        a = self._col(self._by_wave[pre], var)
        b = self._col(self._by_wave[post], var)
        w = pd.concat({"pre": a, "post": b}, axis=1, join="inner").dropna()
        return w[w.index.isin(ids)]

    def _change(self, pre, post, definition, var) -> pd.Series:
        w = self._pairs(pre, post, definition, var)
        return w["post"].astype(float) - w["pre"].astype(float)

    def _dropouts(self, pre, post, completed: bool) -> pd.DataFrame:
        base = self._by_wave[pre]
        followed = set(self._by_wave[post].index)
        keep = base.index.isin(followed)
        return base[keep if completed else ~keep]

    @cached_property
    def _mids(self) -> dict:
        primary, secondary = study_glue.continuous_outcomes(self.config, self.panel)
        mids = study_glue.default_mids(self.config, primary + secondary)
        return dict(zip(mids["outcome"], mids["mid"]))

    def _eq5d_dims(self) -> list[str]:
        return [d for d in study_glue.EQ5D_DIMENSIONS if d in self.panel.columns]

    def _pchc_frame(self, pre, post) -> tuple[pd.DataFrame, pd.DataFrame]:
        dims = self._eq5d_dims()
        ids = self.members(pre, post, "primary")
        a = self._by_wave[pre][dims]
        b = self._by_wave[post][dims]
        both = a.merge(b, how="inner", left_index=True, right_index=True, suffixes=("_pre", "_post")).dropna()
        both = both[both.index.isin(ids)]
        x = both[[f"{d}_pre" for d in dims]].set_axis(dims, axis=1)
        y = both[[f"{d}_post" for d in dims]].set_axis(dims, axis=1)
        return x, y

    # -- evaluation ----------------------------------------------------------------------

    def members_of(self, g) -> frozenset:
        """The participant IDs of group ``g`` (see the module docstring)."""
        if g not in self._members:
            self._members[g] = self._members_of(g)
        return self._members[g]

    def _members_of(self, g) -> frozenset:
        kind = g[0]
        if kind in COUNT_ONLY:
            raise UnknownGroup(g)
        if kind == "resp":
            return frozenset(self._wave(g[1], g[2]).index)
        if kind == "answered":
            d = self._wave(g[1], g[2])
            return frozenset(d.index[self._col(d, g[3]).notna()])
        if kind == "level":
            d = self._wave(g[1], g[2])
            col = self._col(d, g[3])
            levels = {str(v) for v in g[4]}
            return frozenset(d.index[col.notna() & col.astype("string").isin(levels).fillna(False)])
        if kind == "reach":
            r = self.register
            keep = pd.Series(True, index=r.index)
            if g[1] != "all":
                keep &= r["period"] == g[1]
            if g[2] != "all":
                keep &= r["workshop"] == g[2]
            return frozenset(r.loc[keep, "participant_id"])
        if kind == "flow" and g[3] == "reached":   # a visit between the wave dates, both inclusive
            if self.attendance is None:
                return frozenset()
            d = pd.to_datetime(self.attendance["date"])
            inside = (d >= self.wave_dates[g[1]]) & (d <= self.wave_dates[g[2]])
            return frozenset(self.attendance.loc[inside, "participant_id"].astype(str))
        if kind == "flow":
            pre, post, stage = g[1], g[2], g[3]
            c = self.flow_cohorts[(pre, post)]
            both = c["recurring_both_waves"]
            attending = c["visits_per_week"] > self.config.recurring.min_visits_per_week
            masks = {
                "assessed_pre": c["present_pre"], "assessed_post": c["present_post"],
                "lost": c["present_pre"] & ~c["present_post"], "new": ~c["present_pre"] & c["present_post"],
                "lost_attending": c["present_pre"] & ~c["present_post"] & attending,
                "lost_not_attending": c["present_pre"] & ~c["present_post"] & ~attending,
                "both": both,
                "excluded_attendance": both & (c["visits_per_week"] <= self.config.recurring.min_visits_per_week),
                "analysed_attendance": c["recurring_attendance"].fillna(False).astype(bool),
            }
            if stage not in masks:
                raise UnknownGroup(g)
            return frozenset(c.loc[masks[stage].astype(bool), "participant_id"])
        if kind == "pairs":
            return frozenset(self._pairs(g[1], g[2], g[3], g[4]).index)
        if kind == "pairs_cells":
            w = self._pairs(g[1], g[2], "primary", g[3])
            return frozenset(w.index[(w["pre"].astype(bool) == bool(g[4])) & (w["post"].astype(bool) == bool(g[5]))])
        if kind == "pairs_sign":
            d = self._change(g[1], g[2], "primary", g[3])
            sel = {"pos": d > 0, "neg": d < 0, "zero": d == 0, "nonzero": d != 0}[g[4]]
            return frozenset(d.index[sel])
        if kind == "responders":
            pre, post, var, cat = g[1:]
            if var not in self._mids:
                raise UnknownGroup(g)
            m = float(self._mids[var])
            d = self._change(pre, post, "primary", var)
            c = d if study_glue.higher_is_better().get(var, True) else -d
            tol = 1e-9 * m
            sel = {"improved": c >= m - tol, "worsened": c <= -m + tol}
            sel["unchanged"] = ~(sel["improved"] | sel["worsened"])
            return frozenset(d.index[sel[cat]])
        if kind == "pchc_pairs":
            x, _ = self._pchc_frame(g[1], g[2])
            return frozenset(x.index)
        if kind == "pchc":
            pre, post, dim, cat = g[1:]
            x, y = self._pchc_frame(pre, post)
            if dim == "overall":
                better, worse = (y < x).any(axis=1), (y > x).any(axis=1)
                sel = {"better": better & ~worse, "worse": worse & ~better, "mixed": better & worse,
                       "unchanged": ~better & ~worse}
            else:
                sel = {"better": y[dim] < x[dim], "worse": y[dim] > x[dim], "same": y[dim] == x[dim]}
            if cat not in sel:
                raise UnknownGroup(g)
            return frozenset(x.index[sel[cat]])
        if kind == "eq5d_levels":        # the published EQ-5D profile: a dimension at a group of levels
            d = self._wave(g[1], "recurring")
            v = pd.to_numeric(self._col(d, g[2]), errors="coerce")
            return frozenset(d.index[v.isin([float(x) for x in g[3]])])
        if kind in ("eq5d_complete", "eq5d_full"):
            d = self._wave(g[1], "recurring")
            dims = [c for c in study_glue.EQ5D_DIMENSIONS if c in d.columns]
            v = d[dims].apply(pd.to_numeric, errors="coerce")
            ok = v.notna().all(axis=1) & ((v == 1).all(axis=1) if kind == "eq5d_full" else True)
            return frozenset(d.index[ok])
        if kind in ("eq5d_answered", "eq5d_problem"):
            d = self._wave(g[1], "recurring")
            v = self._col(d, g[2])
            return frozenset(d.index[v.notna() & (v > 1 if kind == "eq5d_problem" else True)])
        if kind == "hl_level":
            d = self._wave(g[1], "recurring")
            v = self._col(d, "hls_eu_q16_level").astype("string")
            return frozenset(d.index[(v == str(g[2])).fillna(False)])
        if kind == "answered_either":    # the mixed-model row of the sensitivity table
            pre, post, var = g[1:]
            ids = self.members(pre, post, "primary")
            either = set()
            for w in (pre, post):
                d = self._by_wave[w]
                either |= set(d.index[self._col(d, var).notna()])
            return frozenset(i for i in ids if i in either)
        if kind == "pairs_level":        # a subgroup of the complete pairs (level at baseline)
            pre, post, var, by, levels = g[1:]
            w = self._pairs(pre, post, "primary", var)
            col = self._col(self._by_wave[pre], by).astype("string").reindex(w.index)
            return frozenset(w.index[col.isin({str(v) for v in levels}).fillna(False)])
        if kind == "auc_complete":       # recurring with the EQ-5D index at every wave
            rec = self.panel[self.panel["participant_id"].isin(self.recurring_any)]
            ok = rec.groupby("participant_id")["eq5d5l_index"].count()
            waves = len(self._by_wave)
            return frozenset(ok.index[ok == waves])
        if kind == "model_groups":
            rec = self.panel[self.panel["participant_id"].isin(self.recurring_any)]
            return frozenset(rec.loc[self._col(rec, g[1]).notna(), "participant_id"])
        if kind in ("dropout", "completer"):
            return frozenset(self._dropouts(g[1], g[2], kind == "completer").index)
        if kind == "dropout_answered":
            d = self._dropouts(g[1], g[2], False)
            return frozenset(d.index[self._col(d, g[3]).notna()])
        if kind == "dropout_level":
            d = self._dropouts(g[1], g[2], False)
            col = self._col(d, g[3]).astype("string")
            return frozenset(d.index[col.isin({str(v) for v in g[4]}).fillna(False)])
        if kind == "minus":
            return self.members_of(g[1]) - self.members_of(g[2])
        if kind == "union":
            out: frozenset = frozenset()
            for part in g[1:]:
                out |= self.members_of(part)
            return out
        raise UnknownGroup(g)

    def count(self, g) -> int:
        """The number of persons in group ``g`` (count-only groups included)."""
        if g not in self._counts:
            self._counts[g] = self._count(g)
        return self._counts[g]

    def _count(self, g) -> int:
        kind = g[0]
        if kind == "model_obs":
            rec = self.panel[self.panel["participant_id"].isin(self.recurring_any)]
            return int(self._col(rec, g[1]).notna().sum())
        if kind == "rel_complete":
            wave, inst, scale = g[1:]
            h = self.harmonised.get(wave)
            if h is None or inst not in self.config.wave(wave).instruments:
                raise UnknownGroup(g)
            rel = instruments.reliability(inst, h[instruments.items_of(inst)],
                                          **study_glue.instrument_options(self.config, inst))
            hit = rel[rel["scale"] == scale]
            if not len(hit):
                raise UnknownGroup(g)
            return int(hit["n_complete"].iloc[0])
        if kind == "minus" and (_count_only(g[1]) or _count_only(g[2])):
            return self.count(g[1]) - self.count(g[2])
        return len(self.members_of(g))

    def values(self, g, spec) -> np.ndarray:
        """The sorted values ``spec`` (``("score", wave, var)`` or ``("change", pre, post,
        var)``) of every member of group ``g`` (missing values dropped)."""
        ids = self.members_of(g)
        if spec[0] == "score":
            s = self._col(self._by_wave[spec[1]], spec[2])
        elif spec[0] == "change":
            a = self._col(self._by_wave[spec[1]], spec[3]).astype(float)
            b = self._col(self._by_wave[spec[2]], spec[3]).astype(float)
            s = (b - a.reindex(b.index))
        else:
            raise UnknownGroup(spec)
        v = s[s.index.isin(ids)].dropna().astype(float).to_numpy()
        return np.sort(v)


def _count_only(g) -> bool:
    if g[0] in COUNT_ONLY:
        return True
    if g[0] == "minus":
        return _count_only(g[1]) or _count_only(g[2])
    return False


__all__ = ["COVARIATES", "FLOW_STAGES", "StudyTruth", "UnknownGroup"]
