"""The active-learning loop over a campaign directory: init → (propose → label)×R, resumable.

A round is recorded with its whole batch before any oracle call, and each label is written as
it arrives, so a campaign killed at any moment restarts by labelling what its recorded round
still lacks and then proposing the next: no oracle call whose label was written is repeated.
Round 0 holds the starting labels (a labels file, or ``--initial N`` random candidates).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem

from redoxscreen.campaign import acquisition as acq
from redoxscreen.campaign.config import CampaignConfig, config_columns, needed_targets
from redoxscreen.campaign.diversity import select_batch
from redoxscreen.campaign.objectives import Objective, column_values, feasible, p_feasible
from redoxscreen.campaign.oracles import make_oracle
from redoxscreen.campaign.record import CampaignRecord
from redoxscreen.campaign.space import candidate_features, match_keys, read_candidates
from redoxscreen.campaign.store import CampaignStore
from redoxscreen.campaign.surrogate import Surrogate, auto_surrogate, fit_surrogate
from redoxscreen.data.io import read_table
from redoxscreen.models.domain import TrainingIndex
from redoxscreen.models.inputs import MolBatch, reads_smiles
from redoxscreen.models.registry import MODELS
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.progress import Progress
from redoxscreen.runtime.runs import file_sha256, library_versions

MIN_LABELS = 3  # below this a surrogate cannot be cross-validated
THOMPSON_POOL = 2000  # joint GP draws are taken over this many candidates (best by UCB)
PREDICT_CHUNK = 20000


def init_campaign(directory: str | Path, candidates: str | Path, objectives: list[Objective],
                  *, labels: str | Path | None = None, smiles_col: str | None = None,
                  id_col: str | None = None, feature_cols: list[str] | None = None,
                  **options: object) -> Campaign:
    """Create ``directory`` with its record: candidates, config, and round 0 from ``labels``."""
    directory = Path(directory)
    if (directory / "campaign.duckdb").exists():
        raise ConfigError(f"{directory} already holds a campaign; continue it with 'campaign "
                          "run'/'propose', or start a new one in another directory")
    table, rejected, desc = read_candidates(candidates, smiles_col=smiles_col, id_col=id_col,
                                            feature_cols=feature_cols)
    ie, ea = options.get("ie_target", "ie_ev"), options.get("ea_target", "ea_ev")
    config = CampaignConfig(objectives=[o.to_dict() for o in objectives],
                            targets=needed_targets(objectives, ie, ea,
                                                   bool(options.get("potential_labels"))),
                            space=desc,
                            candidates_file=str(Path(candidates).resolve()),
                            candidates_sha256=file_sha256(candidates), **options)
    if config.acquisition:
        acq.parse_acquisition(config.acquisition)
    config_columns(config)  # every objective resolves before anything is written
    with CampaignStore(directory, create=True) as store:
        store.write_candidates(table)
        store.set_meta("config", config.__dict__)
        store.set_meta("versions", library_versions())
        store.log("init", candidates=len(table), rejected=len(rejected))
    if len(rejected):
        rejected.rows.to_csv(directory / "rejected_candidates.csv", index=False)
    campaign = Campaign(directory)
    campaign.rejected = len(rejected)
    if labels is not None:
        campaign.import_results(labels, rnd=0)
        ids = sorted(set(campaign.store.labels()["candidate_id"]))
        campaign.store.add_round(0, "imported", f"file:{Path(labels).name}", pd.DataFrame(
            {"candidate_id": ids, "score": np.nan, "predictions": [{} for _ in ids]}), 0, None,
            "")
    return campaign


@dataclass
class ImportResult:
    rows: int
    labels: int
    unmatched: pd.DataFrame
    without_value: int
    already: int = 0


class Campaign(CampaignRecord):
    """An open campaign: propose batches, take labels, run the loop. ``n_jobs`` threads for the
    surrogate and featurizer; ``progress`` reports each round."""

    def __init__(self, directory: str | Path, *, progress: Progress | None = None,
                 n_jobs: int = 1):
        super().__init__(directory, progress=progress, n_jobs=n_jobs)
        self._X = None

    # -- data ------------------------------------------------------------------------------
    @property
    def X(self) -> object:
        if self._X is None:
            with self.progress.task("featurizing the candidates", total=None):
                self._X = candidate_features(self.candidates, self.config.space,
                                             self.config.featurizer, self.dir / "cache",
                                             self.n_jobs)
        return self._X

    # -- proposing -------------------------------------------------------------------------
    def _predict(self, sur: Surrogate, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        parts = [sur.predict(self._inputs(sur, rows[i:i + PREDICT_CHUNK]))
                 for i in range(0, len(rows), PREDICT_CHUNK)]
        return np.vstack([p[0] for p in parts]), np.vstack([p[1] for p in parts])

    def _inputs(self, sur: Surrogate | str, rows: np.ndarray) -> object:
        """What the surrogate (or the model named ``sur``) reads for these candidates."""
        X = self.X[rows]
        smiles = (MODELS[sur].reads == "smiles" if isinstance(sur, str)
                  else reads_smiles(sur.model))
        return MolBatch(X, self.candidates["smiles"].to_numpy()[rows]) if smiles else X

    def fit(self, rnd: int, ids: np.ndarray, Y: np.ndarray) -> tuple[Surrogate, int]:
        """Refit the surrogate on the labels ``Y`` of candidates ``ids``; recorded as a new
        surrogate version."""
        if len(ids) < MIN_LABELS:
            raise ConfigError(f"{self.dir}: the surrogate needs at least {MIN_LABELS} labelled "
                              "candidates "
                              f"(have {len(ids)}); import labels or run with --initial N")
        name = self.config.surrogate
        if name == "auto":
            name = auto_surrogate(len(ids), self.molecular)
        with self.progress.task(f"round {rnd}: fitting the {name} surrogate on {len(ids)} "
                                "labels", total=None):
            sur = fit_surrogate(name, self._inputs(name, ids), Y, self.config.targets,
                                seed=self.config.seed + rnd, folds=self.config.folds,
                                settings=self.config.surrogate_settings, n_jobs=self.n_jobs)
        version = self.store.add_surrogate(rnd, name, len(ids), sur.metrics, sur.calibration,
                                           sur.cv_seconds, sur.refit_seconds)
        return sur, version

    def propose(self, batch: int, acquisition: str | None = None, oracle: str = "export"
                ) -> pd.DataFrame:
        """Fit, score and record the next round's batch; writes ``batches/round-K.csv``."""
        if batch < 1:
            raise ConfigError(f"--batch must be at least 1 (got {batch})")
        waiting = self.pending()
        if len(waiting):
            rnd = int(waiting["round"].max())
            raise ConfigError(f"round {rnd} still waits for {len(waiting)} label(s) "
                              f"({self.dir / 'batches'}); import them with 'campaign import' or "
                              "label them with 'campaign run --oracle ...' first")
        spec = acquisition or self.config.default_acquisition()
        acq.parse_acquisition(spec)
        rounds = self.store.rounds()
        rnd = int(rounds["round"].max()) + 1 if len(rounds) else 1
        rng = np.random.default_rng([self.config.seed, rnd])
        ids, Y = self.labelled()
        sur, version = self.fit(rnd, ids, Y)
        settled = self.store.settled(self.config.targets)
        pool = np.setdiff1d(self.candidates["candidate_id"].to_numpy(int), list(settled))
        if len(pool) == 0:
            raise ConfigError(f"{self.dir}: every candidate is labelled; nothing left to propose")
        with self.progress.task(f"round {rnd}: scoring {len(pool):,} candidates ({spec})",
                                total=None):
            mean_t, sd_t = self._predict(sur, pool)
            inp = self._acquisition_input(sur, pool, mean_t, sd_t, self.column_table(ids, Y),
                                          rng, batch)
            scores = acq.score(spec, inp)
            diversity = self.config.diversity if acq.wants_diversity(spec) else "none"
            picks = select_batch(scores, self.X[pool], batch, diversity=diversity,
                                 pool_factor=self.config.pool_factor, molecular=self.molecular)
        picked_score = (scores[np.arange(len(picks)), picks] if scores.ndim == 2
                        else scores[picks])
        t = self.config.targets
        proposal = pd.DataFrame({
            "candidate_id": pool[picks], "score": picked_score,
            "predictions": [{**{tg: [float(mean_t[i, j]), float(sd_t[i, j])]
                                for j, tg in enumerate(t)},
                             "p_feasible": float(inp.p_feasible[i])} for i in picks]})
        self.store.add_round(rnd, "acquisition", spec, proposal, len(ids), version, oracle)
        self.store.log("propose", round=rnd, acquisition=spec, batch=len(proposal),
                       surrogate=sur.name)
        self.write_batch(rnd)
        return self.store.proposals(rnd)

    def _acquisition_input(self, sur: Surrogate, pool: np.ndarray, mean_t: np.ndarray,
                           sd_t: np.ndarray, lab: np.ndarray, rng: np.random.Generator,
                           batch: int) -> acq.AcquisitionInput:
        """The acquisition's view of the pool: predictions moved to the objective columns
        (``lab``: the labelled candidates' column values), scalarised, with constraints."""
        t = self.config.targets
        cols = self.columns
        mu = np.column_stack([column_values(c, mean_t[:, t.index(c.target)]) for c in cols])
        sd = np.column_stack([abs(c.slope) * sd_t[:, t.index(c.target)] for c in cols])
        scales = self._goal_scales(lab)
        ok = feasible(cols, lab)
        lab_goal = self.scalarise(lab, scales)
        best = float(np.max(lab_goal[ok])) if lab_goal is not None and ok.any() else -np.inf
        g_mean = self.scalarise(mu, scales)
        g_sd = self.scalarise(sd, scales, spread=True)
        distance = np.zeros(len(pool))
        for j, c in enumerate(cols):
            if c.constrained:
                distance += (np.maximum(c.low - mu[:, j], 0) + np.maximum(mu[:, j] - c.high, 0)
                             ) / scales[j]
        constrained = any(c.constrained for c in cols)
        spread = g_sd if g_sd is not None else (sd / scales).mean(axis=1)

        def sample(k: int) -> np.ndarray:
            subset = np.arange(len(pool))
            if sur.native and hasattr(sur.model, "sample_y") and len(pool) > THOMPSON_POOL:
                upper = (g_mean + 2 * g_sd) if g_mean is not None else -distance + spread
                subset = np.argsort(-upper)[:THOMPSON_POOL]
            draws_t = sur.sample(self._inputs(sur, pool[subset]), k, rng)
            vals = np.stack([column_values(c, draws_t[..., t.index(c.target)]) for c in cols],
                            axis=-1)
            inside = np.stack([feasible(cols, v) for v in vals])
            out = np.full((k, len(pool)), -np.inf)
            g = self.scalarise(vals, scales)
            out[:, subset] = np.where(inside, g, -np.inf) if g is not None else inside
            return out

        return acq.AcquisitionInput(
            mean=g_mean, sd=g_sd, best=best, p_feasible=p_feasible(cols, mu, sd),
            mean_feasible=feasible(cols, mu), distance=distance, spread=spread, sample=sample,
            rng=rng, batch_size=batch, constrained=constrained)

    def propose_initial(self, n: int) -> pd.DataFrame:
        """``n`` seeded random candidates not yet settled: round 0 of a campaign without
        labels, or the next round when every imported label failed."""
        rounds = self.store.rounds()
        rnd = int(rounds["round"].max()) + 1 if len(rounds) else 0
        rng = np.random.default_rng([self.config.seed, rnd])
        ids = np.setdiff1d(self.candidates["candidate_id"].to_numpy(int),
                           list(self.store.settled(self.config.targets)))
        pick = np.sort(rng.choice(ids, size=min(n, len(ids)), replace=False))
        proposal = pd.DataFrame({"candidate_id": pick, "score": np.nan,
                                 "predictions": [{} for _ in pick]})
        self.store.add_round(rnd, "initial", "random", proposal, len(self.labelled()[0]), None,
                             "")
        self.store.log("propose", round=rnd, acquisition="random", batch=len(pick))
        self.write_batch(rnd)
        return self.store.proposals(rnd)

    def write_batch(self, rnd: int) -> Path:
        """``batches/round-K.csv``: what to compute or make, with the surrogate's predictions."""
        prop = self.store.proposals(rnd).merge(self.candidates, on="candidate_id")
        keys = ["smiles"] if self.molecular else ["key"]
        out = prop[["round", "rank", "candidate_id", *keys, "id", "score"]].copy()
        for tg in self.config.targets:
            out[f"{tg}_pred"] = [p.get(tg, [np.nan, np.nan])[0] for p in prop["predictions"]]
            out[f"{tg}_sd"] = [p.get(tg, [np.nan, np.nan])[1] for p in prop["predictions"]]
        out["p_feasible"] = [p.get("p_feasible", np.nan) for p in prop["predictions"]]
        if self.molecular:
            out["nn_similarity"] = self._similarity_to_labelled(out["smiles"].tolist())
        out = out.dropna(axis=1, how="all")
        # the columns to fill in and bring back with 'campaign import'
        out = out.assign(**{tg: "" for tg in self.config.targets})
        path = self.dir / "batches" / f"round-{rnd}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(path, index=False)
        return path

    def _similarity_to_labelled(self, smiles: list[str]) -> np.ndarray:
        """Largest Tanimoto similarity of each proposal to a molecule labelled so far (the
        surrogate's applicability domain; NaN before any label). Not a filter: exploring
        away from the labels is what acquisition is for, the column says how far it went."""
        ids = self.labelled()[0]
        done = self.candidates.set_index("candidate_id").loc[list(ids), "smiles"] \
            if len(ids) else []
        mols = [Chem.MolFromSmiles(s) for s in smiles]
        if not len(done) or not all(m is not None for m in mols):
            return np.full(len(smiles), np.nan)
        return TrainingIndex.from_smiles(list(done)).nearest(mols)[0]

    # -- labelling -------------------------------------------------------------------------
    def label_pending(self, oracle: object) -> int:
        """Label every pending candidate with ``oracle`` (from :meth:`oracle`; ``None``:
        export, nothing to do); returns the number labelled."""
        waiting = self.pending()
        if oracle is None or waiting.empty:
            return 0
        done = 0
        for rnd, part in waiting.groupby("round", sort=True):
            batch = part.merge(self.candidates, on="candidate_id")
            with self.progress.task(f"round {rnd}: labelling {len(batch)} with {oracle.source}",
                                    total=len(batch)) as bar:
                for lab in oracle.label(batch):
                    self.store.add_labels(self._label_rows(lab, oracle, int(rnd)))
                    done += 1
                    bar.advance()
            self.store.log("labelled", round=int(rnd), n=len(batch), oracle=oracle.source)
        return done

    def oracle(self, spec: str, n_workers: int = 1) -> object:
        """The oracle of ``spec``, checked against this campaign (``None`` for export)."""
        oracle = make_oracle(spec, self.candidates, self.molecular, n_workers)
        if oracle is None:
            return None
        if getattr(oracle, "needs_smiles", False) and not self.molecular:
            raise ConfigError(f"the {spec} oracle computes molecules; these candidates have no "
                              "SMILES (a tabular space): use table:PATH:COLUMN or export")
        missing = [t for t in self.config.targets if t not in oracle.targets]
        if missing:
            raise ConfigError(f"oracle {spec} gives {', '.join(oracle.targets)}, but the "
                              f"objectives need {', '.join(missing)}")
        return oracle

    def _label_rows(self, lab: object, oracle: object, rnd: int) -> list[dict]:
        base = {"candidate_id": lab.candidate_id, "source": oracle.source,
                "fidelity": oracle.fidelity, "round": rnd, "seconds": lab.seconds}
        if lab.status != "ok":
            return [{**base, "target": t, "value": None, "status": "failed",
                     "reason": lab.reason} for t in oracle.targets]
        rows = [{**base, "target": t, "value": v} for t, v in lab.values.items()]
        rows += [{**base, "target": t, "value": None, "status": "failed",
                  "reason": f"the oracle gave no {t}"} for t in oracle.targets
                 if t not in lab.values]
        return rows

    def import_results(self, path: str | Path, rnd: int | None = None) -> ImportResult:
        """Labels from a results file (a filled-in batch CSV, a lab export), matched by
        candidate_id, SMILES or id; rows that match nothing are reported and kept aside."""
        path = Path(path)
        df = read_table(path)
        targets = [t for t in self.config.targets if t in df.columns]
        if not targets:
            raise DataError(f"{path.name}: no label column of this campaign "
                            f"({', '.join(self.config.targets)}); columns: "
                            f"{', '.join(df.columns)}")
        ids, unmatched = match_keys(self.candidates, df, path.name, self.molecular)
        prop = self.store.proposals()
        last_round = prop.groupby("candidate_id")["round"].max().to_dict() if len(prop) else {}
        rows, empty = [], 0
        status = df["status"].astype(str).str.lower() if "status" in df.columns else None
        values = df[targets].apply(pd.to_numeric, errors="coerce").to_numpy(float)
        for i in np.flatnonzero(ids >= 0):
            cid = int(ids[i])
            base = {"candidate_id": cid, "source": f"file:{path.name}",
                    "fidelity": str(df["fidelity"].iloc[i]) if "fidelity" in df.columns
                    else "imported", "round": last_round.get(cid, rnd)}
            if status is not None and status.iloc[i] == "failed":
                reason = str(df["reason"].iloc[i]) if "reason" in df.columns else "failed"
                rows += [{**base, "target": t, "value": None, "status": "failed",
                          "reason": reason} for t in targets]
                continue
            got = {t: float(v) for t, v in zip(targets, values[i], strict=True)
                   if np.isfinite(v)}
            empty += not got
            rows += [{**base, "target": t, "value": v} for t, v in got.items()]
        # the same file imported twice adds nothing: a label is kept once per source
        have = {(int(c), t, src) for c, t, src in
                self.store.labels()[["candidate_id", "target", "source"]].itertuples(index=False)}
        fresh = [r for r in rows if (r["candidate_id"], r["target"], r["source"]) not in have]
        self.store.add_labels(fresh)
        self.store.log("import", file=str(path), rows=len(df), labels=len(fresh),
                       unmatched=len(unmatched), already=len(rows) - len(fresh))
        if len(unmatched):
            out = self.dir / "imports" / f"{path.stem}-unmatched.csv"
            out.parent.mkdir(parents=True, exist_ok=True)
            unmatched.to_csv(out, index=False)
        return ImportResult(len(df), len(fresh), unmatched, empty, len(rows) - len(fresh))

    # -- the loop --------------------------------------------------------------------------
    def run(self, oracle: str, rounds: int, batch: int, *, initial: int | None = None,
            acquisition: str | None = None, n_workers: int = 1) -> dict:
        """Finish the campaign to ``rounds`` acquisition rounds (a total, not an increment)."""
        labeller = self.oracle(oracle, n_workers)  # a bad or unfit one fails before any work
        t0 = time.time()
        labelled = self.label_pending(labeller)
        rounds_df = self.store.rounds()
        n_usable = len(self.labelled()[0])
        if n_usable < MIN_LABELS and not (rounds_df["kind"] == "initial").any():
            # no labels yet, or imported ones that all failed: start from random candidates
            if not initial:
                raise ConfigError(f"the campaign has {n_usable} usable labels "
                                  f"(the surrogate needs {MIN_LABELS}): pass --initial N (N "
                                  "random candidates first) or import labels")
            self.propose_initial(initial)
            labelled += self.label_pending(labeller)
        stopped = None
        while self.acquisition_rounds() < rounds:
            if oracle == "export" and len(self.pending()):
                stopped = int(self.pending()["round"].max())
                break
            prop = self.propose(batch, acquisition, oracle)
            if oracle == "export":
                stopped = int(prop["round"].iloc[0])
                break
            labelled += self.label_pending(labeller)
        self.store.log("run", oracle=oracle, rounds=rounds, labelled=labelled,
                       seconds=time.time() - t0)
        return {"labelled": labelled, "rounds": self.acquisition_rounds(),
                "waiting_round": stopped}
