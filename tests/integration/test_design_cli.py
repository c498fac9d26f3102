"""``redoxscreen design`` end to end on the toy model: designs in the band, new, checked by an
oracle under the run's conversion, resumable, and handed to a campaign."""

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.electrochem import PotentialConversion
from redoxscreen.oracle import ORACLES, OracleResult

runner = CliRunner()


@ORACLES.register("heavyie", reads="smiles", listed=False)
class HeavyAtomIE:
    """IE = 6 eV + 0.05 eV per heavy atom: known values for designs nobody has computed."""

    name = "heavyie"

    def label(self, smiles: str) -> OracleResult:
        n = Chem.MolFromSmiles(smiles).GetNumHeavyAtoms()
        return OracleResult(smiles, 6.0 + 0.05 * n, 1.0, method=self.name)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def run(toy_model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("design") / "run"
    args = ["design", "--model", toy_model_dir, "--role", "cathode", "--band", "5.6:6.0",
            "--budget", "400", "--population", "40", "--offspring", "80", "--n", "30",
            "--verify", "heavyie", "--verify-top", "8", "--workers", "1", "--out", out]
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return out, args


def test_designs_are_new_valid_and_predicted_in_the_band(run, toy_model_dir):
    out, _ = run
    d = pd.read_csv(out / "designs.csv")
    train = set(pd.read_csv(toy_model_dir / "oof.csv")["smiles"])
    assert 0 < len(d) <= 30 and d["smiles"].is_unique
    assert not set(d["smiles"]) & train
    assert all(Chem.MolToSmiles(Chem.MolFromSmiles(s)) == s for s in d["smiles"])
    assert d["rank"].tolist() == list(range(1, len(d) + 1))
    assert (d["fitness"].diff().dropna() <= 0).all()
    assert (d["rejected"].isna() | (d["rejected"] == "")).all()
    inside = (d["e_ox_v_li"] >= 5.6) & (d["e_ox_v_li"] <= 6.0)
    assert (d["in_band"] == inside).all() and inside.mean() >= 0.5
    assert (d["e_ox_lo_v_li"] <= d["e_ox_v_li"]).all() and (d["p_band"] <= 1).all()
    for near, sim in d[["nearest_training", "similarity"]].head(5).itertuples(index=False):
        assert near in train and 0 < sim < 1
    summary = json.loads((out / "summary.json").read_text())
    m = summary["metrics"]
    assert m["evaluations"] == 400 and m["designs"] == len(d)
    assert m["novelty"] == 1.0 and m["uniqueness"] == 1.0 and m["validity"] > 0.9
    assert m["predicted_in_band"] == pytest.approx(inside.mean())
    with duckdb.connect(str(out / "designs.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM evaluated").fetchone()[0] == 400
        assert con.execute("SELECT count(*) FROM designs").fetchone()[0] == len(d)
    assert (out / "plots" / "top_designs.png").stat().st_size > 1000
    assert (out / "plots" / "potentials.png").exists()


def test_the_oracle_check_uses_the_runs_conversion(run):
    out, _ = run
    d = pd.read_csv(out / "designs.csv")
    v = json.loads((out / "summary.json").read_text())["verification"]
    top = d.head(8)
    heavy = np.array([Chem.MolFromSmiles(s).GetNumHeavyAtoms() for s in top["smiles"]])
    expect = PotentialConversion.study().potential(6.0 + 0.05 * heavy, "oxidation", "vs_li")
    assert top["verified_v"].to_numpy() == pytest.approx(expect)
    hits = (expect >= 5.6) & (expect <= 6.0)
    assert v["verified"] == 8 and v["hits"] == int(hits.sum())
    assert v["hit_rate"] == pytest.approx(hits.mean())
    assert d["verified_v"].iloc[8:].isna().all()


def test_a_rerun_resumes_and_other_settings_are_refused(run):
    out, args = run
    before = pd.read_csv(out / "designs.csv")
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(pd.read_csv(out / "designs.csv"), before)
    assert len(pd.read_csv(out / "evaluated.csv")) == 400  # nothing scored twice
    other = [a if a != "5.6:6.0" else "5.0:5.5" for a in args]
    r = invoke(*other)
    assert r.exit_code == 2 and "other inputs or settings" in " ".join(r.stderr.split())


def test_designs_start_a_campaign(run, tmp_path):
    out, _ = run
    r = invoke("campaign", "init", tmp_path / "c", "--candidates", out / "designs.csv",
               "--maximize", "ie_ev")
    assert r.exit_code == 0, r.output


def test_bad_options_are_clear_errors(toy_model_dir, tmp_path):
    r = invoke("design", "--model", toy_model_dir, "--role", "cathode", "--band", "high",
               "--out", tmp_path / "a")
    assert r.exit_code == 2 and "must be LOW:HIGH" in r.stderr
    r = invoke("design", "--model", toy_model_dir, "--role", "cathode", "--band", "5:6",
               "--generator", "diffusion", "--out", tmp_path / "b")
    assert r.exit_code == 2 and "graph-ga" in r.stderr and "selfies" in r.stderr
    r = invoke("design", "--model", toy_model_dir, "--role", "cathode", "--band", "5:6",
               "--budget", "100", "--generator", "selfies", "--start",
               tmp_path / "missing.csv", "--out", tmp_path / "c")
    assert r.exit_code == 2 and "missing.csv" in r.stderr
