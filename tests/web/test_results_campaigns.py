"""Results (filter, sort, page, download, histogram) and campaigns (status, proposed batch,
import) in the workbench, on a real screen run and a real campaign of the toy model."""

import io
import shutil

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from redoxscreen.cli.main import app as cli  # noqa: E402
from redoxscreen.pipeline.screen import run_screen_command  # noqa: E402
from redoxscreen.screen import ScreenSettings  # noqa: E402
from redoxscreen.web import create_app  # noqa: E402


@pytest.fixture(scope="module")
def runs(toy_model_dir, toy_df, tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    shutil.copytree(toy_model_dir, d / "toy" / "model")
    lib = d / "lib.csv"
    pd.DataFrame({"smiles": [*toy_df["smiles"].head(60), "not a smiles"]}).to_csv(lib,
                                                                               index=False)
    run_screen_command(d / "toy" / "model", lib, d / "scr",
                       ScreenSettings(roles=["cathode", "anode"], n_workers=1))
    cand = d / "cand.csv"
    toy_df.head(40).to_csv(cand, index=False)
    runner = CliRunner()
    for args in (["campaign", "init", str(d / "camp"), "--candidates", str(cand),
                  "--maximize", "vie"],
                 ["campaign", "run", str(d / "camp"), "--oracle", "export", "--rounds", "1",
                  "--batch", "4", "--initial", "4", "--workers", "1"]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, r.output
    return d


@pytest.fixture(scope="module")
def client(runs):
    return TestClient(create_app(runs, predict_workers=0))


@pytest.fixture(scope="module")
def table(runs):
    return pd.read_parquet(runs / "scr" / "results.parquet")


def get(client, path, **params):
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_runs_are_listed(client):
    runs = get(client, "/api/results")["runs"]
    assert [r["id"] for r in runs] == ["scr"] and runs[0]["molecules"] == 61


def test_filters_count_what_pandas_counts(client, table):
    valid = table[table["valid"]]
    lo, hi = np.quantile(valid["e_ox_v_li"], [0.25, 0.75])
    got = get(client, "/api/results/scr", role="cathode", pmin=lo, pmax=hi)
    assert got["total"] == int(valid["e_ox_v_li"].between(lo, hi).sum())
    assert all(lo <= r["e_ox_v_li"] <= hi for r in got["rows"])
    got = get(client, "/api/results/scr", role="anode", passed="yes")
    assert got["total"] == int(table["anode_pass"].fillna(False).sum())
    got = get(client, "/api/results/scr", role="anode", passed="no")
    assert got["total"] == len(valid) - int(table["anode_pass"].fillna(False).sum())
    for dom in ("in", "edge"):
        assert get(client, "/api/results/scr", domain=dom)["total"] == \
            int((valid["domain"] == dom).sum())
    both = get(client, "/api/results/scr", domain=["in", "edge"])["total"]
    assert both == int(valid["domain"].isin(["in", "edge"]).sum())
    # valid only by default: the unparsed row is not a result
    assert get(client, "/api/results/scr")["total"] == 60
    assert get(client, "/api/results/scr", pmin="", pmax="", role="")["total"] == 60  # a form


def test_sort_and_pages(client, table):
    ref = table[table["valid"]].sort_values(["e_red_v_li", "row"], ascending=[False, True])
    p2 = get(client, "/api/results/scr", sort="e_red_v_li", desc=True, page=2, per_page=7)
    assert p2["offset"] == 7 and [r["row"] for r in p2["rows"]] == ref["row"].iloc[7:14].tolist()
    assert get(client, "/api/results/scr", per_page=10_000)["limit"] == 500


def test_downloads_hold_every_filtered_row(client, table):
    want = int(table["cathode_pass"].fillna(False).sum())
    r = client.get("/api/results/scr/download.csv", params={"role": "cathode",
                                                            "passed": "yes"})
    assert r.status_code == 200
    assert len(pd.read_csv(io.StringIO(r.text))) == want
    r = client.get("/api/results/scr/download.parquet", params={"sort": "e_ox_v_li"})
    got = pd.read_parquet(io.BytesIO(r.content))
    assert len(got) == 60 and got["e_ox_v_li"].is_monotonic_increasing
    assert client.get("/api/results/scr/download.xlsx").status_code == 404


@pytest.mark.parametrize("params, code, words", [
    ({"sort": "row; DROP TABLE molecules"}, 422, "not a column"),
    ({"domain": "bogus"}, 422, "unknown domain"),
    ({"role": "electrolyte"}, 422, "not 'electrolyte'"),
    ({"passed": "maybe"}, 422, "yes, no"),
    ({"pmin": "abc"}, 422, "not a potential"),
])
def test_bad_queries_are_clear_4xx(client, params, code, words):
    r = client.get("/api/results/scr", params=params)
    assert r.status_code == code and words in r.text
    assert client.get("/api/results/../../etc").status_code == 404
    assert client.get("/api/results/nope").status_code == 404


def test_results_pages_render_histogram_grid_and_table(client):
    png = client.get("/results/scr/histogram/cathode.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    page = client.get("/results/scr", params={"role": "cathode", "sort": "e_ox_v_li",
                                              "desc": "true"}).text
    assert "60 rows match" in page and page.count("<svg") == 12
    assert "download.parquet?role=cathode" in page and "scr" in client.get("/results").text


def test_campaign_status_batch_and_page(client):
    assert get(client, "/api/campaigns")["campaigns"] == [{"id": "camp"}]
    st = get(client, "/api/campaigns/camp")
    assert st["candidates"] == 40 and len(st["batch"]) == 4 and st["pending"] == 4
    assert all(b["smiles"] for b in st["batch"])
    page = client.get("/campaigns/camp").text
    assert page.count("<svg") == 4 and "Proposed batch" in page
    assert client.get("/api/campaigns/nope").status_code == 404


def test_importing_a_filled_batch_labels_it(client, runs, toy_df):
    batch = pd.read_csv(runs / "camp" / "batches" / "round-0.csv")
    vie = dict(zip(toy_df["smiles"], toy_df["vie"], strict=True))
    batch["vie"] = batch["smiles"].map(vie)
    r = client.post("/api/campaigns/camp/import",
                    files={"results": ("round-0.csv", batch.to_csv(index=False), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.json()["labels"] == 4 and r.json()["unmatched_rows"] == []
    st = get(client, "/api/campaigns/camp")
    assert st["labels"]["ok"] == 4 and st["pending"] == 0 and st["batch"] == []
    bad = client.post("/api/campaigns/camp/import",
                      files={"results": ("x.csv", "smiles,colour\nC,red\n", "text/csv")})
    assert bad.status_code == 422 and "no label column" in bad.text


def test_imports_need_the_token_when_the_server_has_one(runs):
    c = TestClient(create_app(runs, token="s3cret", host="0.0.0.0", predict_workers=0))
    r = c.post("/api/campaigns/camp/import", files={"results": ("a.csv", "x\n", "text/csv")})
    assert r.status_code == 401
