"""Dataset connectors: recorded small responses stand in for the network (never touched)."""

import io
import json
import shutil
import tarfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.data import sources
from redoxscreen.data.units import HARTREE_TO_EV
from redoxscreen.runtime.errors import ConfigError, DataError

runner = CliRunner()


@pytest.fixture()
def recorded(tmp_path, monkeypatch):
    """Small files in each source's raw format, served for its real URLs."""
    rec = tmp_path / "recorded"
    rec.mkdir()
    oc = pd.DataFrame({"identifier": ["csd_REHYOT", "csd_X"], "smiles": [
        "c1ccc2cc3cc4cc5ccccc5cc4cc3cc2c1", "c1ccccc1N"], "vie": [6.33, 7.9],
        "aie": [6.2, 7.7], "vea": [-1.37, 1.96], "aea": [-1.5, 1.8], "homo": [-4.9, -5.6],
        "lumo": [-2.8, 0.5], "hr": [0.1, 0.3], "er": [0.2, 0.4]})
    buf = io.BytesIO(oc.to_csv(index=False).encode())
    with tarfile.open(rec / "ocelot_chromophore_v1.tar.xz", "w:xz") as tar:
        info = tarfile.TarInfo("ocelot_chromophore_v1.csv")
        info.size = len(buf.getvalue())
        tar.addfile(info, buf)
    pd.DataFrame({"mol_id": ["gdb_1"], "smiles": ["C"], "homo": [-0.3877], "lumo": [0.1171],
                  "gap": [0.5048]}).to_csv(rec / "qm9.csv", index=False)
    by_url = {url: rec / name for s in ("ocelot", "qm9")
              for name, url in sources.DATASETS[s].factory().files.items()}
    calls = []

    def fake_download(url, dest, timeout=60.0):
        calls.append(url)
        if url not in by_url:
            raise DataError(f"could not download {url}: no recorded response")
        shutil.copy(by_url[url], dest)

    monkeypatch.setattr(sources, "_download", fake_download)
    monkeypatch.setenv("REDOXSCREEN_DATA", str(tmp_path / "cache"))
    return calls


def test_get_converts_with_units_and_signs_and_caches(tmp_path, recorded):
    path = sources.get_dataset("ocelot", tmp_path / "out")
    df = pd.read_csv(path)
    assert list(df["ea_ev"]) == [1.37, -1.96]  # conventional EA = −vea: pentacene binds
    assert {"vie_ev", "aie_ev", "homo_ev", "smiles"} <= set(df.columns)
    card = (tmp_path / "out" / "ocelot.md").read_text()
    assert "Licence: MIT" in card and "Chem. Sci." in card and "SHA-256" in card
    sources.get_dataset("ocelot", tmp_path / "out2")
    assert len(recorded) == 1  # the second get reads the cache
    q = pd.read_csv(sources.get_dataset("qm9", tmp_path / "out"))
    assert q["homo_ev"][0] == pytest.approx(-0.3877 * HARTREE_TO_EV)


def test_a_changed_cached_file_is_refused_with_the_fix(tmp_path, recorded):
    sources.get_dataset("qm9", tmp_path / "out")
    cached = tmp_path / "cache" / "qm9" / "qm9.csv"
    manifest = json.loads((cached.parent / "manifest.json").read_text())
    assert manifest["qm9.csv"]["sha256"] == sources.sha256(cached)
    cached.write_text("mol_id,smiles,homo,lumo,gap\ngdb_1,C,0,0,0\n")
    with pytest.raises(DataError, match="--force"):
        sources.get_dataset("qm9", tmp_path / "out")
    sources.get_dataset("qm9", tmp_path / "out", force=True)  # a fresh download mends it


def test_a_failed_download_leaves_no_partial_file(tmp_path, monkeypatch):
    monkeypatch.setenv("REDOXSCREEN_DATA", str(tmp_path / "cache"))
    with pytest.raises(DataError, match="could not download file:///nonexistent"):
        sources._download("file:///nonexistent/x.csv", tmp_path / "x.csv")
    assert not list(tmp_path.glob("x.csv*"))


class FakeJCESR:
    """A recorded mp-api response: ``client.molecules.jcesr.search(...)``."""

    def __init__(self, docs):
        self.molecules = self
        self.jcesr = self
        self.docs = docs

    def search(self, fields):
        assert {"smiles", "IE", "EA"} <= set(fields)
        return self.docs


def test_materials_project_molecules_from_a_recorded_response(monkeypatch):
    docs = [{"task_id": "mol-1", "smiles": "c1ccccc1", "IE": 6.9, "EA": -0.8,
             "formula_pretty": "C6H6", "charge": 0}]
    df = sources.mp_molecules(FakeJCESR(docs))
    assert df.loc[0, "ie_solv_ev"] == 6.9 and df.loc[0, "ea_solv_ev"] == -0.8
    monkeypatch.delenv("MP_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="set MP_API_KEY"):
        sources.get_dataset("materials-project", "out")


def test_datasets_cli_lists_and_gets(tmp_path, recorded):
    r = runner.invoke(app, ["datasets", "list", "--json"])
    assert r.exit_code == 0
    names = {d["name"] for d in json.loads(r.stdout)}
    assert {"ocelot", "qm9", "opv", "reddb", "materials-project"} <= names
    r = runner.invoke(app, ["datasets", "get", "qm9", "-o", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert np.isfinite(pd.read_csv(tmp_path / "o" / "qm9.csv")["gap_ev"]).all()
    r = runner.invoke(app, ["datasets", "get", "nope"])
    assert r.exit_code == 2 and "unknown dataset 'nope'" in r.stderr
    r = runner.invoke(app, ["datasets", "get", "opv", "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "could not download" in r.stderr
