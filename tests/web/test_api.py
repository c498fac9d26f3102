"""The web workbench's endpoints with FastAPI's test client, bad inputs included."""

import shutil
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from redoxscreen.web import create_app  # noqa: E402


@pytest.fixture(scope="module")
def runs(toy_model_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    shutil.copytree(toy_model_dir, d / "toy" / "model")
    return d


@pytest.fixture(scope="module")
def client(runs):
    return TestClient(create_app(runs, predict_workers=0))


def test_models_are_listed_with_their_cards(client):
    got = client.get("/api/models").json()["models"]
    assert [m["id"] for m in got] == ["toy"]
    assert got[0]["targets"] == ["vie", "ea"] and "vie" in got[0]["cv_metrics"]


def test_predict_returns_rows_with_intervals_and_domain(client, toy_df):
    smiles = [toy_df["smiles"].iloc[0], "not a smiles", "[U]"]
    r = client.post("/api/predict", json={"model": "toy", "smiles": smiles})
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    assert [x["smiles"] for x in rows] == smiles
    assert [x["valid"] for x in rows] == [True, False, True]
    assert rows[0]["vie_lo"] < rows[0]["vie_pred"] < rows[0]["vie_hi"]
    assert rows[1]["vie_pred"] is None and "syntax" in rows[1]["reason"]
    assert rows[2]["domain"] == "out" and "unseen element U" in rows[2]["domain_reason"]


@pytest.mark.parametrize("body, code, words", [
    ({"model": "nope", "smiles": ["CCO"]}, 404, "unknown model"),
    ({"model": "../../etc", "smiles": ["CCO"]}, 404, "unknown model"),
    ({"model": "toy", "smiles": ["C" * 600]}, 422, "longer than 500"),
    ({"model": "toy", "smiles": ["CCO"] * 1001}, 413, "at most 1000"),
    ({"model": "toy", "smiles": []}, 422, ""),
])
def test_bad_predict_requests_are_clear_4xx(client, body, code, words):
    r = client.post("/api/predict", json=body)
    assert r.status_code == code and words in r.text


def test_pages_render(client, toy_df):
    assert "toy" in client.get("/").text
    page = client.get("/predict", params={"model": "toy", "smiles": toy_df["smiles"].iloc[0]})
    assert page.status_code == 200 and "<svg" in page.text and "vie_pred" in page.text
    assert "acetonitrile" in client.get("/solvents").text
    assert client.get("/docs").status_code == 200


def test_a_screen_job_runs_in_the_background(client, toy_df, runs):
    lib = "\n".join(["smiles", *toy_df["smiles"].head(30), "bad"]) + "\n"
    r = client.post("/api/screens", data={"model": "toy", "role": "cathode"},
                    files={"library": ("lib.csv", lib, "text/csv")})
    assert r.status_code == 200, r.text
    job = r.json()["id"]
    for _ in range(120):
        st = client.get(f"/api/screens/{job}").json()
        if st["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert st["state"] == "done", st
    assert st["summary"]["molecules"] == 31 and st["summary"]["invalid"] == 1
    assert client.get(f"/api/screens/{job}/top/cathode.csv").status_code == 200
    assert "top cathodes" in client.get(f"/screens/{job}").text
    # a restarted server finds the finished job
    again = TestClient(create_app(runs, predict_workers=0)).get(f"/api/screens/{job}").json()
    assert again["state"] == "done"
    assert client.get("/api/screens/nope").status_code == 404


def test_bad_uploads_and_settings(client):
    r = client.post("/api/screens", data={"model": "toy"},
                    files={"library": ("lib.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422 and "upload a .csv" in r.text
    r = client.post("/api/screens", data={"model": "toy", "solvent": "lava"},
                    files={"library": ("lib.csv", b"smiles\nCCO\n", "text/csv")})
    assert r.status_code == 422 and "lava" in r.text


def test_a_token_guards_writes_and_a_public_bind_needs_one(runs):
    with pytest.raises(ValueError, match="needs --token"):
        create_app(runs, host="0.0.0.0")
    c = TestClient(create_app(runs, token="s3cret", host="0.0.0.0", predict_workers=0))
    assert c.get("/api/models").status_code == 200  # reads stay open
    body = {"model": "toy", "smiles": ["CCO"]}
    assert c.post("/api/predict", json=body).status_code == 401
    ok = c.post("/api/predict", json=body, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200
    r = c.post("/api/screens", data={"model": "toy"},
               files={"library": ("lib.csv", b"smiles\nCCO\n", "text/csv")})
    assert r.status_code == 401 and "token" in r.text
