"""``redoxscreen campaign``: the loop with a table oracle, export/import, a tabular space, bad
input, and a real kill -9 in the middle of a round."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.campaign.store import CampaignStore
from redoxscreen.cli.main import app

runner = CliRunner()
HERE = Path(__file__).parent


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def files(tmp_path_factory, toy_df):
    d = tmp_path_factory.mktemp("campaign")
    df = toy_df.head(150).assign(ie_ev=lambda t: t["vie"], ea_ev=lambda t: -t["vea"])
    cand, table = d / "candidates.csv", d / "dft.csv"
    df[["smiles"]].to_csv(cand, index=False)
    df[["smiles", "ie_ev", "ea_ev"]].to_csv(table, index=False)
    return d, cand, table, df


def labels_of(directory):
    with CampaignStore(directory, read_only=True) as s:
        return s.labels(), s.proposals(), s.rounds()


def test_run_with_a_table_oracle_then_resume_and_extend(files, tmp_path):
    d, cand, table, df = files
    c = tmp_path / "c"
    r = invoke("campaign", "init", c, "--candidates", cand, "--maximize", "ea_ev")
    assert r.exit_code == 0, r.output
    run = ("campaign", "run", c, "--oracle", f"table:{table}:ea_ev", "--rounds", "2",
           "--batch", "5", "--initial", "10", "--workers", "1")
    r = invoke(*run)
    assert r.exit_code == 0, r.output
    labels, prop, rounds = labels_of(c)
    assert list(rounds["kind"]) == ["initial", "acquisition", "acquisition"]
    assert len(labels) == 20 and labels["candidate_id"].is_unique  # 10 + 2 × 5, once each
    assert set(labels["candidate_id"]) == set(prop["candidate_id"])
    truth = dict(zip(df["smiles"], df["ea_ev"], strict=True))
    with CampaignStore(c, read_only=True) as s:
        keys = s.candidates().set_index("candidate_id")["key"]
    for row in labels.itertuples():  # the table's DFT value, by canonical SMILES
        assert row.value == pytest.approx(truth[keys[row.candidate_id]])
    # acquisition beats chance here: the acquired molecules' EA is above the random start
    acquired = labels[labels["round"] > 0]["value"].mean()
    assert acquired > labels[labels["round"] == 0]["value"].mean()
    # the same command again: finished, no oracle call; a larger total continues it
    assert invoke(*run).exit_code == 0
    assert len(labels_of(c)[0]) == 20
    r = invoke(*run[:6], "3", *run[7:])
    assert r.exit_code == 0, r.output
    assert len(labels_of(c)[0]) == 25
    st = json.loads(invoke("campaign", "status", c, "--json").stdout)
    assert [r["round"] for r in st["rounds"]] == [0, 1, 2, 3]
    assert st["rounds"][1]["surrogate"] == "tanimoto-gp"
    assert st["rounds"][1]["surrogate_cv"]["ea_ev"]["n"] == 10
    assert st["best"][0]["ea_ev"] == pytest.approx(labels_of(c)[0]["value"].max())
    html = (c / "summary.html").read_text()
    assert "Best so far" in html and "predicted before it was labelled" in html
    assert html.count("<img") >= 2
    out = tmp_path / "labelled.csv"
    assert invoke("campaign", "export", c, "-o", out).exit_code == 0
    exported = pd.read_csv(out)
    assert len(exported) == 25 and {"smiles", "ea_ev", "round", "source"} <= set(exported)


def test_export_and_import_round_trip(files, tmp_path):
    d, cand, table, df = files
    c = tmp_path / "c"
    r = invoke("campaign", "init", c, "--candidates", cand, "--band", "e_red_v_li=:0.0")
    assert r.exit_code == 2 and "outside the acetonitrile window" in " ".join(r.stderr.split())
    assert invoke("campaign", "init", c, "--candidates", cand, "--band",
                  "e_red_v_li=:1.0").exit_code == 0
    r = invoke("campaign", "run", c, "--oracle", "export", "--rounds", "1", "--batch", "4",
               "--initial", "6")
    assert r.exit_code == 0 and "round 0 exported" in " ".join(r.stdout.split())
    batch = pd.read_csv(c / "batches" / "round-0.csv")
    assert len(batch) == 6 and "ea_ev" in batch
    r = invoke("campaign", "propose", c, "--batch", "4")
    assert r.exit_code == 2 and "round 0 still waits for 6" in " ".join(r.stderr.split())
    truth = dict(zip(df["smiles"], df["ea_ev"], strict=True))
    batch["ea_ev"] = [truth[s] for s in batch["smiles"]]
    batch.loc[len(batch)] = {"smiles": "CCCCCCCCCCCCCCCCCCCCCCCCCCCCO", "ea_ev": 1.0}
    batch.drop(columns=["candidate_id"]).to_csv(tmp_path / "res.csv", index=False)
    r = invoke("campaign", "import", c, tmp_path / "res.csv")
    assert r.exit_code == 0, r.output
    assert "6 labels from 7 rows" in r.stdout
    assert "1 rows match no candidate (rows 7)" in " ".join(r.stderr.split())
    assert (c / "imports" / "res-unmatched.csv").exists()
    r = invoke("campaign", "import", c, tmp_path / "res.csv")
    assert "0 labels from 7 rows" in r.stdout and "6 labels were imported" in r.stderr
    assert len(labels_of(c)[0]) == 6
    r = invoke("campaign", "propose", c, "--batch", "4", "--acquisition", "pwindow")
    assert r.exit_code == 0, r.output
    prop = pd.read_csv(c / "batches" / "round-1.csv")
    assert len(prop) == 4 and prop["p_feasible"].between(0, 1).all()
    assert not set(prop["candidate_id"]) & set(batch["candidate_id"].dropna().astype(int))
    # how far each proposal is from what the surrogate learnt on (the molecules labelled)
    assert prop["nn_similarity"].between(0, 1).all() and (prop["nn_similarity"] < 1).all()


def test_tabular_space_and_bad_input(tmp_path):
    rng = np.random.default_rng(0)
    n = 60
    x = rng.uniform(0, 1, (n, 2))
    cand = pd.DataFrame({"id": [f"f{i}" for i in range(n)], "temp": x[:, 0], "ratio": x[:, 1]})
    cand.to_csv(tmp_path / "space.csv", index=False)
    truth = pd.DataFrame({"id": cand["id"],
                          "strength": -((x[:, 0] - 0.7) ** 2 + (x[:, 1] - 0.2) ** 2)})
    truth.to_csv(tmp_path / "lab.csv", index=False)
    c = tmp_path / "t"
    r = invoke("campaign", "init", c, "--candidates", tmp_path / "space.csv", "--features",
               "temp,ratio", "--maximize", "strength")
    assert r.exit_code == 0, r.output
    r = invoke("campaign", "run", c, "--oracle", f"table:{tmp_path / 'lab.csv'}:strength",
               "--rounds", "2", "--batch", "5", "--initial", "8", "--acquisition", "ucb")
    assert r.exit_code == 0, r.output
    st = json.loads(invoke("campaign", "status", c, "--json").stdout)
    assert st["rounds"][1]["surrogate"] == "gp"  # RBF GP on the columns
    assert st["labels"]["candidates_labelled"] == 18
    # xTB cannot label formulations; a table without a proposed candidate names it
    r = invoke("campaign", "run", c, "--oracle", "xtb", "--rounds", "3", "--batch", "5")
    assert r.exit_code == 2 and "no SMILES" in " ".join(r.stderr.split())
    truth.iloc[:10].to_csv(tmp_path / "short.csv", index=False)
    r = invoke("campaign", "run", c, "--oracle", f"table:{tmp_path / 'short.csv'}:strength",
               "--rounds", "3", "--batch", "5")
    assert r.exit_code == 2 and "not in the table, e.g. candidate" in " ".join(r.stderr.split())
    r = invoke("campaign", "init", c, "--candidates", tmp_path / "space.csv", "--maximize", "x")
    assert r.exit_code == 2 and "already holds a campaign" in " ".join(r.stderr.split())
    r = invoke("campaign", "status", tmp_path / "nothing")
    assert r.exit_code == 2 and "no campaign here" in " ".join(r.stderr.split())


def _cli(args, env):
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import slow_oracle; "
            "from redoxscreen.cli.main import app; app()")
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_kill_9_mid_round_resumes_without_losing_or_repeating_a_label(files, tmp_path,
                                                                       monkeypatch):
    d, cand, table, df = files
    log = tmp_path / "calls.log"
    env = {**os.environ, "SLOW_ORACLE_TABLE": str(table), "SLOW_ORACLE_LOG": str(log)}
    run = ["--oracle", "slowtable", "--rounds", "3", "--batch", "4", "--initial", "8",
           "--workers", "1"]
    # the reference: the same campaign, never interrupted
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    import slow_oracle  # noqa: F401  (registers the oracle in this process too)

    ref, killed = tmp_path / "ref", tmp_path / "killed"
    for c in (ref, killed):
        assert invoke("campaign", "init", c, "--candidates", cand, "--maximize",
                      "ea_ev").exit_code == 0
    assert invoke("campaign", "run", ref, *run).exit_code == 0
    log.unlink()
    proc = _cli(["campaign", "run", killed, *run], {**env, "SLOW_ORACLE_DELAY": "0.4"})
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or len(log.read_text().split()) < 14):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # mid round 2: 8 + 4 + 2 calls made
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = labels_of(killed)[0]
    assert 12 <= before["candidate_id"].nunique() < 20
    proc = _cli(["campaign", "run", killed, *run], env)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    labels, prop, _ = labels_of(killed)
    ref_labels, ref_prop, _ = labels_of(ref)
    assert labels.groupby(["candidate_id", "target"]).size().max() == 1  # nothing twice
    assert set(labels["candidate_id"]) == set(ref_labels["candidate_id"])  # nothing lost
    assert prop[["round", "rank", "candidate_id"]].equals(
        ref_prop[["round", "rank", "candidate_id"]])  # the same choices as uninterrupted
    calls = pd.Series(log.read_text().split()).value_counts()
    assert len(calls) == 20
    assert (calls > 1).sum() <= 1  # at most the call in flight at the kill is made again


def test_two_goals_give_a_pareto_front(files, tmp_path):
    d, cand, table, df = files
    c = tmp_path / "p"
    assert invoke("campaign", "init", c, "--candidates", cand, "--maximize", "ea_ev",
                  "--minimize", "ie_ev", "--weight", "1", "--weight", "2").exit_code == 0
    r = invoke("campaign", "run", c, "--oracle", f"table:{table}:ie_ev,ea_ev", "--rounds", "1",
               "--batch", "6", "--initial", "12", "--acquisition", "thompson")
    assert r.exit_code == 0, r.output
    from redoxscreen.campaign import Campaign

    with Campaign(c) as camp:
        hist = camp.history()
        assert camp.status()["goal_label"] == "best weighted sum of standardised goals"
    front = hist[hist["pareto"]]
    for row in front.itertuples():  # nothing labelled is better on both goals
        assert not ((hist["ea_ev"] > row.ea_ev) & (hist["ie_ev"] < row.ie_ev)).any()
    assert len(hist) == 18 and 1 <= len(front) < 18
    assert "Pareto front" in (c / "summary.html").read_text()


def test_imported_labels_that_all_failed_fall_back_to_random_ones(files, tmp_path):
    d, cand, table, df = files
    failed = pd.DataFrame({"smiles": df["smiles"].head(4), "ea_ev": np.nan,
                           "status": "failed", "reason": "SCF did not converge"})
    failed.to_csv(tmp_path / "failed.csv", index=False)
    c = tmp_path / "f"
    assert invoke("campaign", "init", c, "--candidates", cand, "--maximize", "ea_ev",
                  "--labels", tmp_path / "failed.csv").exit_code == 0
    run = ("campaign", "run", c, "--oracle", f"table:{table}:ea_ev", "--rounds", "1",
           "--batch", "3")
    r = invoke(*run)
    assert r.exit_code == 2 and "0 usable labels" in " ".join(r.stderr.split())
    assert invoke(*run, "--initial", "5").exit_code == 0
    labels, prop, rounds = labels_of(c)
    assert list(rounds["kind"]) == ["imported", "initial", "acquisition"]
    assert (labels["status"] == "failed").sum() == 4 and (labels["status"] == "ok").sum() == 8
    assert not set(prop[prop["round"] > 0]["candidate_id"]) & set(prop[prop["round"] == 0][
        "candidate_id"])  # a failed candidate is never proposed again


def test_potential_labels_are_used_without_a_conversion(files, tmp_path):
    d, cand, table, df = files
    lab = df[["smiles"]].assign(e_red_v_li=df["ea_ev"] - 1.2)  # as xtb:solvent=... writes
    lab.to_csv(tmp_path / "pot.csv", index=False)
    c = tmp_path / "pl"
    r = invoke("campaign", "init", c, "--candidates", cand, "--band", "e_red_v_she=-2.0:-1.6",
               "--potential-labels")
    assert r.exit_code == 0, r.output
    r = invoke("campaign", "run", c, "--oracle", f"table:{tmp_path / 'pot.csv'}:e_red_v_li",
               "--rounds", "1", "--batch", "4", "--initial", "8")
    assert r.exit_code == 0, r.output
    from redoxscreen.campaign import CampaignRecord

    with CampaignRecord(c) as rec:
        assert rec.config.targets == ["e_red_v_li"]
        col = rec.columns[0]
        assert (col.slope, col.intercept) == (1.0, pytest.approx(-3.04))  # vs Li → vs SHE
        hist = rec.history()
    truth = dict(zip(lab["smiles"], lab["e_red_v_li"] - 3.04, strict=True))
    assert np.allclose(hist["e_red_v_she"], [truth[k] for k in hist["key"]])
    r = invoke("campaign", "init", tmp_path / "x", "--candidates", cand, "--band",
               "e_red_v_li=1:2", "--potential-labels", "--calibration", tmp_path / "pot.csv")
    assert r.exit_code == 2 and "convert them twice" in " ".join(r.stderr.split())


def test_oracle_specs_take_settings():
    from redoxscreen.campaign.oracles import make_oracle
    from redoxscreen.runtime.errors import ConfigError

    o = make_oracle("xtb:solvent=acetonitrile,method=GFN2-xTB", pd.DataFrame(), True)
    assert o.targets == ("ie_ev", "ea_ev", "e_ox_v_li", "e_red_v_li")
    assert o.source == "tblite:GFN2-xTB+ALPB(acetonitrile)"
    with pytest.raises(ConfigError, match="has no setting 'solvant'"):
        make_oracle("xtb:solvant=water", pd.DataFrame(), True)


def test_a_campaign_open_in_another_process_is_a_clear_error(files, tmp_path):
    d, cand, table, df = files
    c = tmp_path / "busy"
    assert invoke("campaign", "init", c, "--candidates", cand, "--maximize",
                  "ea_ev").exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from redoxscreen.campaign.store import CampaignStore; "
        f"s = CampaignStore({str(c)!r}); print('open', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        r = invoke("campaign", "status", c)
        assert r.exit_code == 2 and "is another 'campaign run' using it" in " ".join(
            r.stderr.split())
    finally:
        holder.kill()
        holder.wait()
