"""Fuzz the readers with atheris (coverage-guided; not in CI):

    .venv/bin/python bench/fuzz_readers.py                 # every target, 60 s each → fuzz.json
    .venv/bin/python bench/fuzz_readers.py table -atheris_runs=100000   # one target

Targets: ``table`` (read_table + detect_smiles_column + prepare_table on arbitrary bytes as a
CSV/TSV/SMI file), ``smiles`` (to_mol, standardisation, the screen's fast parser, the domain
checks on arbitrary text), ``model`` (load_model on a model folder whose model.json is the
fuzzer's bytes). A finding is any exception other than redoxscreen's own user-facing errors;
each becomes a regression test in tests/.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # toydata
TARGETS = ("table", "smiles", "model")


def _expected(exc: BaseException) -> bool:
    from redoxscreen.runtime.errors import RedoxscreenError

    return isinstance(exc, RedoxscreenError)


def target_table(data: bytes) -> None:
    from redoxscreen.data import TargetSpec, prepare_table, read_table
    from redoxscreen.data.io import detect_smiles_column

    suffix = (".csv", ".tsv", ".smi")[data[0] % 3] if data else ".csv"
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(data[1:])
        fh.flush()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = read_table(fh.name)
                col = detect_smiles_column(df, fh.name)
                others = [c for c in df.columns if c != col]
                if others:
                    prepare_table(df, col, [TargetSpec(str(others[0]), str(others[0]))])
        except Exception as exc:
            if not _expected(exc):
                raise


def target_smiles(data: bytes) -> None:
    from redoxscreen.chem import mols_for_features, to_mol
    from redoxscreen.chem.standardize import Standardizer, standardize_smiles
    from redoxscreen.models.domain import TrainingIndex

    text = data.decode("utf-8", "replace")
    mol, _ = to_mol(text)
    standardize_smiles([text], Standardizer(uncharge=True, strip_isotopes=True))
    fast = mols_for_features([text])[0]
    if (fast is None) != (mol is None) and mol is not None and mol.GetNumHeavyAtoms() < 500:
        pass  # the fast parser may refuse more (stereo-free sanitising); never less
    if mol is not None:
        global _INDEX
        if "_INDEX" not in globals():
            _INDEX = TrainingIndex.from_smiles(["c1ccccc1O", "CCN(CC)CC", "[Na+].[Cl-]"])
        _INDEX.nearest([mol])


def target_model(data: bytes) -> None:
    from redoxscreen.models import load_model

    global _MODEL_DIR
    if "_MODEL_DIR" not in globals():
        _MODEL_DIR = Path(tempfile.mkdtemp()) / "m"
        _make_model(_MODEL_DIR)
    work = _MODEL_DIR.parent / "fuzzed"
    if not work.exists():
        import shutil
        shutil.copytree(_MODEL_DIR, work)
    (work / "model.json").write_bytes(data)
    try:
        load_model(work)
    except Exception as exc:
        if not _expected(exc):
            raise


def _make_model(directory: Path) -> None:
    from toydata import toy_frame

    from redoxscreen.data import TargetSpec
    from redoxscreen.features import make_featurizer
    from redoxscreen.models.registry import make_estimator
    from redoxscreen.pipeline.train import fit_cv_ensemble, prepare_table

    table = prepare_table(toy_frame(), "smiles", [TargetSpec("vie", "vie")])
    model, _ = fit_cv_ensemble(table, make_featurizer("ecfp:r=2,bits=256"),
                               make_estimator("ridge", {}), split="random", folds=2)
    model.save(directory)


def run_one(name: str) -> None:
    import atheris
    import numpy  # noqa: F401  (third-party code is imported first, so only ours is
    import pandas  # noqa: F401  instrumented: instrumenting sklearn takes minutes)
    import rdkit.Chem  # noqa: F401
    import scipy.sparse  # noqa: F401
    import sklearn.isotonic  # noqa: F401
    import torch  # noqa: F401

    with atheris.instrument_imports(include=["redoxscreen"]):
        import redoxscreen.chem  # noqa: F401
        import redoxscreen.data  # noqa: F401
    fn = globals()[f"target_{name}"]
    seeds = Path(tempfile.mkdtemp()) / "seeds"  # start from real inputs, not from nothing
    seeds.mkdir()
    if name == "table":
        for f in (HERE.parent / "tests" / "data" / "bad_inputs").glob("*.csv"):
            (seeds / f.name).write_bytes(b"\x00" + f.read_bytes()[:4000])
    elif name == "model":
        d = Path(tempfile.mkdtemp()) / "m"
        _make_model(d)
        (seeds / "model.json").write_bytes((d / "model.json").read_bytes())
    else:
        (seeds / "s").write_bytes(b"CC1(C)CCCC(C)(C)N1[O].c1ccc2c(c1)Sc1ccccc1N2[13CH3]")
    atheris.Setup([sys.argv[0], *sys.argv[2:], str(seeds)], fn)
    atheris.Fuzz()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in TARGETS:
        run_one(sys.argv[1])
        return 0
    from common import ROOT, git_commit, write_result

    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    out = {"commit": git_commit(), "seconds_per_target": seconds, "targets": {}}
    crashes = ROOT / "bench" / ".cache" / "fuzz"
    crashes.mkdir(parents=True, exist_ok=True)
    for name in TARGETS:
        t = time.time()
        p = subprocess.run([sys.executable, __file__, name, f"-max_total_time={seconds}",
                            f"-artifact_prefix={crashes}/{name}-", "-rss_limit_mb=4096",
                            "-timeout=20"],  # a slow input is a finding too
                           capture_output=True, text=True, cwd=ROOT / "tests")
        tail = p.stderr.strip().splitlines()[-6:]
        runs = next((ln.split()[1] for ln in reversed(p.stderr.splitlines())
                     if ln.startswith("Done") or " DONE " in ln), None)
        out["targets"][name] = {"exit": p.returncode, "seconds": round(time.time() - t, 1),
                                "finding": p.returncode != 0, "runs": runs, "tail": tail}
        print(name, "exit", p.returncode, "runs", runs, "finding" if p.returncode else "clean")
    write_result("fuzz.json", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
