"""Dataset connectors: the public sets of the field, downloaded once and converted to our tables.

``redoxscreen datasets get NAME`` downloads a set's files into a cache (``$REDOXSCREEN_DATA``,
else ``~/.cache/redoxscreen/datasets``), checks them against the SHA-256 recorded in the cache's
``manifest.json`` at the first download (and against a pinned checksum where one is known),
converts them to one table with units and sign conventions in the column names
(``vie_ev``, ``ea_ev`` with EA > 0 for a bound anion, ``homo_ev``) and writes a card with the
licence and the citation beside it. Sets are registered in :data:`DATASETS` like every other part;
the Materials Project's molecules (JCESR Electrolyte Genome: IE/EA with implicit solvent, the
reference study's source) come through ``mp-api`` with the user's ``MP_API_KEY``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from redoxscreen.data.units import HARTREE_TO_EV
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.registry import Registry

DATASETS = Registry("dataset")


@dataclass(frozen=True)
class Source:
    """A public set: where its files are, how they become a table, and how to credit it."""

    name: str
    description: str
    files: dict[str, str]  # local file name → URL
    convert: Callable[[dict[str, Path]], pd.DataFrame]
    licence: str
    citation: str
    columns: dict[str, str]  # output column → meaning and unit
    sha256: dict[str, str] = field(default_factory=dict)  # pinned checksums, where known
    needs_key: str | None = None  # an environment variable the download needs

    def describe(self) -> dict:
        return {"name": self.name, "description": self.description, "licence": self.licence,
                "citation": self.citation, "columns": self.columns,
                "files": self.files, "needs_key": self.needs_key}


def add_source(source: Source) -> Source:
    DATASETS.add(source.name, lambda: source, description=source.description)
    return source


def cache_dir() -> Path:
    return Path(os.environ.get("REDOXSCREEN_DATA") or Path.home() / ".cache" / "redoxscreen"
                / "datasets")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(url: str, dest: Path, timeout: float = 60.0) -> None:
    """``url`` → ``dest`` through a ``.part`` file, so an interrupted download leaves nothing
    that looks complete."""
    part = dest.with_suffix(dest.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as fh:
            while block := resp.read(1 << 20):
                fh.write(block)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise DataError(f"could not download {url}: {exc}; check the network or put the file "
                        f"at {dest} yourself") from exc
    part.replace(dest)


def fetch_files(source: Source, root: Path | None = None, force: bool = False
                ) -> dict[str, tuple[Path, str]]:
    """The set's raw files in the cache, downloaded if missing, checked by SHA-256: each
    file's path and digest (each file is hashed once per call)."""
    root = (root or cache_dir()) / source.name
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    out = {}
    for name, url in source.files.items():
        dest = root / name
        fresh = force or not dest.exists()
        if fresh:
            _download(url, dest)
        digest = sha256(dest)
        if fresh:
            manifest[name] = {"url": url, "sha256": digest,
                              "downloaded": time.strftime("%Y-%m-%dT%H:%M:%S")}
        want = source.sha256.get(name) or manifest.get(name, {}).get("sha256")
        if want and digest != want:
            raise DataError(f"{dest}: SHA-256 {digest[:12]}… is not the recorded "
                            f"{want[:12]}…; the file changed or is corrupt: delete it or "
                            "run 'datasets get --force'")
        manifest.setdefault(name, {"url": url, "sha256": digest})
        out[name] = (dest, digest)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return out


def get_dataset(name: str, out_dir: str | Path, *, root: Path | None = None,
                force: bool = False) -> Path:
    """Download (or reuse) set ``name``, convert it and write ``OUT/NAME.csv`` + ``NAME.md``."""
    source: Source = DATASETS[name].factory()
    if source.needs_key and not os.environ.get(source.needs_key):
        raise ConfigError(f"dataset {name} needs an API key: set {source.needs_key} (a free "
                          "key from the provider's dashboard)")
    fetched = fetch_files(source, root, force) if source.files else {}
    table = source.convert({name: path for name, (path, _) in fetched.items()})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.csv"
    table.to_csv(path, index=False)
    cols = "\n".join(f"| `{c}` | {m} |" for c, m in source.columns.items())
    files_md = "\n".join(f"- `{f}`: {u} (SHA-256 {fetched[f][1]})" for f, u in
                         source.files.items() if f in fetched)
    (out_dir / f"{name}.md").write_text(
        f"# {name}: {source.description}\n\n- {len(table)} rows, written "
        f"{time.strftime('%Y-%m-%d')} by `redoxscreen datasets get {name}`\n"
        f"- Licence: {source.licence}\n- Cite: {source.citation}\n\n## Files\n{files_md}\n\n"
        f"## Columns\n| column | meaning / unit |\n|---|---|\n{cols}\n")
    return path


# ---- converters: raw files → tables with units in the column names --------------------------

def _ocelot(files: dict[str, Path]) -> pd.DataFrame:
    with tarfile.open(files["ocelot_chromophore_v1.tar.xz"]) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(".csv"))
        raw = pd.read_csv(io.BytesIO(tar.extractfile(member).read()))
    return pd.DataFrame({
        "id": raw["identifier"], "smiles": raw["smiles"], "vie_ev": raw["vie"],
        "aie_ev": raw["aie"], "ea_ev": -raw["vea"], "aea_ev": -raw["aea"],
        "homo_ev": raw["homo"], "lumo_ev": raw["lumo"], "hole_reorg_ev": raw["hr"],
        "electron_reorg_ev": raw["er"]})


def _qm9(files: dict[str, Path]) -> pd.DataFrame:
    raw = pd.read_csv(files["qm9.csv"])
    return pd.DataFrame({"id": raw["mol_id"], "smiles": raw["smiles"],
                         "homo_ev": raw["homo"] * HARTREE_TO_EV,
                         "lumo_ev": raw["lumo"] * HARTREE_TO_EV,
                         "gap_ev": raw["gap"] * HARTREE_TO_EV})


def _opv(files: dict[str, Path]) -> pd.DataFrame:
    parts = []
    for split in ("train", "valid", "test"):
        raw = pd.read_csv(files[f"opv_{split}.csv"])
        parts.append(pd.DataFrame({"smiles": raw["smile"], "homo_ev": raw["homo"],
                                   "lumo_ev": raw["lumo"], "optical_gap_ev": raw["gap"],
                                   "split": split}))
    return pd.concat(parts, ignore_index=True)


def _reddb(files: dict[str, Path]) -> pd.DataFrame:
    parts = [pd.read_csv(files[f]) for f in ("test1.csv", "test2.csv")]
    raw = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"id": raw["reaction_id"], "smiles": raw["reactant_smiles"],
                         "product_smiles": raw["product_smiles"],
                         "reaction_energy_ev": raw["reaction_energy"] * HARTREE_TO_EV,
                         "split": raw["data_type"].map({1: "test1", 2: "test2"})})


def mp_molecules(client: object = None) -> pd.DataFrame:
    """The Materials Project's JCESR molecules (``mp-api``; ``client`` is an ``MPRester`` or a
    recorded stand-in in tests). IE and EA are in eV with implicit solvent, as the reference
    study used them."""
    if client is None:
        try:
            from mp_api.client import MPRester
        except ImportError as exc:
            raise ConfigError("the Materials Project set needs mp-api: pip install mp-api") from exc
        client = MPRester(os.environ["MP_API_KEY"])
    docs = client.molecules.jcesr.search(fields=["task_id", "smiles", "IE", "EA",
                                                  "formula_pretty", "charge"])
    get = (lambda d, k: d.get(k)) if docs and isinstance(docs[0], dict) else getattr
    rows = [{"id": get(d, "task_id"), "smiles": get(d, "smiles"),
             "formula": get(d, "formula_pretty"), "charge": get(d, "charge"),
             "ie_solv_ev": get(d, "IE"), "ea_solv_ev": get(d, "EA")} for d in docs]
    return pd.DataFrame(rows, columns=["id", "smiles", "formula", "charge", "ie_solv_ev",
                                       "ea_solv_ev"])


_MOLZIP = "https://github.com/daenuprobst/molzip/raw/main/data"
_MHNN = "https://raw.githubusercontent.com/schwallergroup/mhnn/main/datasets/raw/opv"
_REDPRED = "https://raw.githubusercontent.com/mcsorkun/RedPred/main/Data"

add_source(Source(
    "ocelot", "OCELOT chromophore v1: 25,251 π-conjugated molecules, gas-phase DFT IE/EA",
    {"ocelot_chromophore_v1.tar.xz": f"{_MOLZIP}/ocelot_chromophore_v1.tar.xz"}, _ocelot,
    "MIT (molzip re-host); data from the OCELOT project (MDF record ocelot_chromophore_v1)",
    "V. Bhat et al., Chem. Sci. 14, 203 (2023)",
    {"vie_ev": "vertical IE, eV", "aie_ev": "adiabatic IE, eV",
     "ea_ev": "vertical EA, eV (= −vea: > 0 for a bound anion)", "aea_ev": "adiabatic EA, eV",
     "homo_ev": "HOMO, eV", "lumo_ev": "LUMO, eV", "hole_reorg_ev": "hole reorganisation, eV",
     "electron_reorg_ev": "electron reorganisation, eV"}))
add_source(Source(
    "qm9", "QM9 (MoleculeNet): 133,885 small molecules, B3LYP orbital energies",
    {"qm9.csv": "https://deepchemdata.s3-us-west-1.amazonaws.com/datasets/qm9.csv"}, _qm9,
    "CC0 (QM9, figshare 978904)",
    "R. Ramakrishnan et al., Sci. Data 1, 140022 (2014); Z. Wu et al., Chem. Sci. 9, 513 (2018)",
    {"homo_ev": "HOMO, eV (from Hartree)", "lumo_ev": "LUMO, eV", "gap_ev": "gap, eV"}))
add_source(Source(
    "opv", "NREL OPV: ~90k π-conjugated monomers, B3LYP HOMO/LUMO and optical gap",
    {f"opv_{s}.csv": f"{_MHNN}/smiles_{s}.csv" for s in ("train", "valid", "test")}, _opv,
    "MIT (mhnn re-host); data from NREL",
    "P. C. St. John et al., J. Chem. Phys. 150, 234111 (2019)",
    {"homo_ev": "HOMO, eV", "lumo_ev": "LUMO, eV", "optical_gap_ev": "TD-DFT gap, eV",
     "split": "the re-host's split"}))
add_source(Source(
    "reddb", "RedDB (RedPred's held-out sets): 2e⁻/2H⁺ reaction energies in implicit water",
    {"test1.csv": f"{_REDPRED}/test1.csv", "test2.csv": f"{_REDPRED}/test2.csv"}, _reddb,
    "none stated in RedPred; RedDB is an open data descriptor — check before redistributing",
    "E. Sorkun et al., Sci. Data 9, 718 (2022)",
    {"reaction_energy_ev": "E(product) − E(reactant), eV (from Hartree), DFT in water",
     "product_smiles": "reduced (hydrogenated) form", "split": "test1 random, test2 OOD"}))
add_source(Source(
    "materials-project", "Materials Project molecules (JCESR Electrolyte Genome) via mp-api",
    {}, lambda files: mp_molecules(),
    "CC BY 4.0 (Materials Project data)",
    "K. Persson et al., the Materials Project; X. Qu et al., Comput. Mater. Sci. 103, 56 (2015)",
    {"ie_solv_ev": "IE with implicit solvent, eV", "ea_solv_ev": "EA with implicit solvent, eV",
     "charge": "charge of the molecule"}, needs_key="MP_API_KEY"))
