"""The campaign record: one DuckDB file per campaign directory (``DIR/campaign.duckdb``).

Tables: ``meta`` (the campaign's config as JSON), ``candidates``, ``labels`` (value, status,
source, fidelity, round, time; long format, a row per candidate and target), ``rounds``,
``surrogates`` (each refit: model, training size, CV metrics, calibration, seconds),
``proposals`` (each batch: rank, acquisition score, the surrogate's prediction for every target
before the label was known) and ``events``. Every write is its own transaction, so a killed run
keeps everything written before the kill; a label once written is never recomputed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.jsonio import json_default

DB_NAME = "campaign.duckdb"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS labels (candidate_id INTEGER, target VARCHAR, value DOUBLE,
    status VARCHAR, reason VARCHAR, source VARCHAR, fidelity VARCHAR, round INTEGER,
    seconds DOUBLE, created DOUBLE);
CREATE TABLE IF NOT EXISTS rounds (round INTEGER PRIMARY KEY, kind VARCHAR,
    acquisition VARCHAR, batch_size INTEGER, n_labelled_before INTEGER,
    surrogate_version INTEGER, oracle VARCHAR, proposed DOUBLE);
CREATE TABLE IF NOT EXISTS surrogates (version INTEGER PRIMARY KEY, round INTEGER,
    model VARCHAR, n_train INTEGER, metrics VARCHAR, calibration VARCHAR, cv_seconds DOUBLE,
    refit_seconds DOUBLE, created DOUBLE);
CREATE TABLE IF NOT EXISTS proposals (round INTEGER, rank INTEGER, candidate_id INTEGER,
    score DOUBLE, predictions VARCHAR);
CREATE TABLE IF NOT EXISTS events (created DOUBLE, kind VARCHAR, detail VARCHAR);
"""


def _dumps(obj: object) -> str:
    return json.dumps(obj, default=json_default, allow_nan=True)


class CampaignStore:
    """Read and write one campaign's record. Use as a context manager; ``read_only`` opens
    allow another reader at the same time but no writer (DuckDB's single-writer rule)."""

    def __init__(self, directory: str | Path, *, create: bool = False, read_only: bool = False):
        self.dir = Path(directory)
        path = self.dir / DB_NAME
        if not path.exists() and not create:
            raise ConfigError(f"{self.dir}: no campaign here; start one with "
                              f"'redoxscreen campaign init {self.dir} --candidates FILE ...'")
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise ConfigError(f"{path}: cannot open the campaign record ({exc}); is another "
                              "'campaign run' using it? Wait for it or stop it") from exc
        if not read_only:
            self.con.execute(SCHEMA)

    def __enter__(self) -> CampaignStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- config and candidates --------------------------------------------------------------
    def set_meta(self, key: str, value: object) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, _dumps(value)])

    def meta(self, key: str) -> object:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        if row is None:
            raise ConfigError(f"{self.dir}: the campaign record has no {key!r}; it was not made "
                              "by 'campaign init' of this version")
        return json.loads(row[0])

    def write_candidates(self, df: pd.DataFrame) -> None:
        self.con.register("incoming", df)
        self.con.execute("CREATE OR REPLACE TABLE candidates AS SELECT * FROM incoming")
        self.con.unregister("incoming")

    def candidates(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM candidates ORDER BY candidate_id").df()

    # -- labels ------------------------------------------------------------------------------
    def add_labels(self, rows: list[dict]) -> None:
        """Append labels (keys: candidate_id, target, value, status, reason, source, fidelity,
        round, seconds) in one transaction."""
        now = time.time()
        values = [[int(r["candidate_id"]), r["target"], _finite(r.get("value")),
                   r.get("status", "ok"), r.get("reason", ""), r["source"],
                   r.get("fidelity", ""), r.get("round"), float(r.get("seconds", 0.0)), now]
                  for r in rows]
        if values:  # explicit: executemany alone commits row by row, and a kill between a
            # molecule's IE and EA rows left it half-labelled, then labelled again on resume
            self.con.execute("BEGIN")
            try:
                self.con.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                     values)
                self.con.execute("COMMIT")
            except Exception:
                self.con.execute("ROLLBACK")
                raise

    def labels(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM labels ORDER BY created, candidate_id").df()

    def label_matrix(self, targets: list[str]) -> pd.DataFrame:
        """Per candidate with an ``ok`` label of every one of ``targets``: the mean label
        (several sources of one candidate are averaged), indexed by candidate_id."""
        lab = self.con.execute("SELECT candidate_id, target, avg(value) AS value FROM labels "
                               "WHERE status = 'ok' GROUP BY ALL").df()
        wide = lab.pivot(index="candidate_id", columns="target", values="value")
        for t in targets:
            if t not in wide.columns:
                wide[t] = np.nan
        return wide[targets].dropna().sort_index()

    def settled(self, targets: list[str]) -> set[int]:
        """Candidates never to propose again: labelled (ok) for every target, or failed."""
        rows = self.con.execute(
            "SELECT candidate_id FROM labels GROUP BY candidate_id HAVING "
            "bool_or(status <> 'ok') OR count(DISTINCT target) FILTER (WHERE status = 'ok' "
            f"AND target IN ({','.join('?' * len(targets))})) = ?",
            [*targets, len(targets)]).fetchall()
        return {int(r[0]) for r in rows}

    # -- rounds, surrogates, proposals -------------------------------------------------------
    def rounds(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM rounds ORDER BY round").df()

    def add_round(self, rnd: int, kind: str, acquisition: str, proposal: pd.DataFrame,
                  n_labelled: int, surrogate_version: int | None, oracle: str) -> None:
        """A round and its proposed batch (columns candidate_id, score, predictions) at once."""
        self.con.execute("BEGIN")
        try:
            self.con.execute("INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [rnd, kind, acquisition, len(proposal), n_labelled,
                              surrogate_version, oracle, time.time()])
            self.con.executemany(
                "INSERT INTO proposals VALUES (?, ?, ?, ?, ?)",
                [[rnd, i + 1, int(r.candidate_id), _finite(r.score), _dumps(r.predictions)]
                 for i, r in enumerate(proposal.itertuples())])
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise

    def proposals(self, rnd: int | None = None) -> pd.DataFrame:
        where = "" if rnd is None else f"WHERE round = {int(rnd)}"
        df = self.con.execute(f"SELECT * FROM proposals {where} ORDER BY round, rank").df()
        df["predictions"] = [json.loads(p) if p else {} for p in df["predictions"]]
        return df

    def add_surrogate(self, rnd: int, model: str, n_train: int, metrics: dict,
                      calibration: dict, cv_seconds: float, refit_seconds: float) -> int:
        version = int(self.con.execute("SELECT coalesce(max(version), 0) + 1 FROM surrogates"
                                       ).fetchone()[0])
        self.con.execute("INSERT INTO surrogates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [version, rnd, model, n_train, _dumps(metrics), _dumps(calibration),
                          cv_seconds, refit_seconds, time.time()])
        return version

    def surrogates(self) -> pd.DataFrame:
        df = self.con.execute("SELECT * FROM surrogates ORDER BY version").df()
        for col in ("metrics", "calibration"):
            df[col] = [json.loads(v) for v in df[col]]
        return df

    def log(self, kind: str, **detail: object) -> None:
        self.con.execute("INSERT INTO events VALUES (?, ?, ?)", [time.time(), kind,
                                                                _dumps(detail)])

    def events(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM events ORDER BY created").df()


def _finite(v: object) -> float | None:
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None
