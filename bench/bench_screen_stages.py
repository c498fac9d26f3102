"""Where a screening worker's time goes: microseconds per molecule for each stage, one core.

The same 5 × 2048→1024→512 FCNN ensemble as ``bench_screen.py``, 20,000 Enamine molecules,
each stage timed separately (median of ``--repeats`` runs): RDKit parse + sanitise (stereo
perception skipped), ECFP4 counts, freeing the molecules, the nets, the conformal (CV+)
intervals; then the whole ``ChunkScreener.process`` and its Parquet write. ``--distilled``
times the same stages with the ensemble distilled into one net, as ``bench_screen.py``'s (b').
The sum of the stages bounds the throughput of two workers on two cores: 2 / (sum of µs) × 10⁶
molecules/s, and the share of (a)'s stages (parse, features, freeing) in the whole bounds
(b)/(a).
Writes ``bench/results/screen_stages.json``; skips when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_screen import build_model
from common import ENAMINE, OCELOT, git_commit, write_result


def stage_times(model_dir: Path, smiles: list[str], repeats: int, tmp: Path) -> dict:
    """Median µs per molecule of each stage of a screening worker with the model at
    ``model_dir`` (a temporary index and part under ``tmp``)."""
    from redoxscreen.chem.standardize import parse_for_features
    from redoxscreen.models import load_model
    from redoxscreen.models.card import read_model_card
    from redoxscreen.models.domain import domain_bits, molecule_facts
    from redoxscreen.models.inputs import member_predictions
    from redoxscreen.screen.index import IndexChunk
    from redoxscreen.screen.index_build import build_index
    from redoxscreen.screen.reader import Chunk
    from redoxscreen.screen.run import fit_calibrators
    from redoxscreen.screen.settings import ScreenSettings
    from redoxscreen.screen.worker import ChunkScreener

    n = len(smiles)
    tmp.mkdir(parents=True, exist_ok=True)
    settings = ScreenSettings(solvent="acetonitrile", collector="Al", uncertainty="conformal")
    card = read_model_card(model_dir)
    settings.resolve_targets(card.targets)
    calibrators = fit_calibrators(card, settings)
    screener = ChunkScreener(load_model(model_dir), settings, calibrators)
    stages: dict[str, list[float]] = {}

    def timed(name: str, t0: float) -> float:
        t1 = time.perf_counter()
        stages.setdefault(name, []).append((t1 - t0) / n * 1e6)
        return t1

    lib = tmp / "lib.smi"
    lib.write_text("\n".join(smiles) + "\n")
    build_index(lib, tmp / "lib.rsidx", card.meta["featurizer"], card.meta.get("standardize"),
                chunk_size=n)
    shard = IndexChunk(0, 1, str(tmp / "lib.rsidx" / "shard-000000.parquet"), n)
    model, domain = screener.model, screener.model.domain
    for _ in range(repeats):
        t = time.perf_counter()
        mols, _, _ = parse_for_features(smiles, screener.sanitize_ops, None)
        t = timed("parse_sanitize", t)
        del mols  # freeing them is timed once, below, not inside the next parse
        t = time.perf_counter()
        mols, _, _ = screener.parse(smiles)
        t = timed("parse_and_standardize", t)
        valid = [m for m in mols if m is not None]
        X = model.featurizer.transform_mols(valid)
        t = timed("ecfp4_counts", t)
        # as the worker does: bits from the features' Morgan block, facts from the text
        texts = [s for s, m in zip(smiles, mols, strict=True) if m is not None]
        bits = domain_bits(valid, X, screener.morgan_offset)
        facts = molecule_facts(valid, texts)
        t = timed("domain_bits_and_facts", t)
        domain.classify(facts, bits)
        t = timed("domain_similarity_and_rules", t)
        del mols, valid
        t = timed("free_molecules", t)
        members = member_predictions(model.estimator, X)
        t = timed("nets", t)
        members = members.reshape(members.shape[0], X.shape[0], -1)
        for target, cal in calibrators.items():
            cal.interval(members[:, :, model.targets.index(target)])
        t = timed("cv_plus_intervals", t)
        df = screener.process(Chunk(index=0, first_row=1, smiles=smiles, ids=None))
        t = timed("process_total", t)
        df.to_parquet(tmp / "part.parquet")
        t = timed("parquet_write", t)
        screener.process(shard)
        timed("process_from_index", t)
    return {k: round(statistics.median(v), 1) for k, v in stages.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distilled", action="store_true",
                        help="also the student of `redoxscreen distill` (bench_screen's b')")
    args = parser.parse_args()
    if not (OCELOT.exists() and ENAMINE.exists()):
        print("skipped: ../shared/data (OCELOT, Enamine50k) not found")
        return 0
    import torch

    from redoxscreen.runtime.runs import library_versions

    torch.set_num_threads(1)  # as in a screening worker
    with gzip.open(ENAMINE, "rt") as fh:
        smiles = [line.strip() for line in fh][1:][: args.molecules]
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_model(Path(tmp), args.seed)
        models = {"ensemble": model_dir}
        if args.distilled:  # as bench_screen.py makes (b') and (c')'s student
            lib = Path(tmp) / "distill.smi"
            lib.write_text("\n".join(smiles) + "\n")
            student = Path(tmp) / "student"
            subprocess.run([sys.executable, "-m", "redoxscreen", "distill",
                            str(model_dir), "-o", str(student), "--library", str(lib),
                            "--n-library", "20000", "--max-epochs", "3"],
                           check=True, capture_output=True)
            models["distilled"] = student
        results = {name: stage_times(d, smiles, args.repeats, Path(tmp) / name)
                   for name, d in models.items()}
    out = {"benchmark": "screening worker, µs per molecule per stage, one core",
           "commit": git_commit(), "molecules": len(smiles), "repeats": args.repeats}
    for name, med in results.items():
        stage_sum = sum(v for k, v in med.items() if k not in (
            "process_total", "parquet_write", "process_from_index", "parse_sanitize"))
        bound = 2e6 / (med["process_total"] + med["parquet_write"])
        # what (a) in bench_screen.py does: parse + sanitise, the features, freeing them
        a_like = med["parse_sanitize"] + med["ecfp4_counts"] + med["free_molecules"]
        print(f"-- {name}")
        for k, v in med.items():
            print(f"{k:>28s}: {v:7.1f} µs/molecule")
        ceiling = a_like / (med["process_total"] + med["parquet_write"])
        print(f"sum of stages {stage_sum:.0f} µs; whole chunk {med['process_total']:.0f} µs → "
              f"at most {bound:,.0f} molecules/s on 2 cores; (a)'s stages are "
              f"{a_like:.0f} µs, so (b)/(a) ≤ {ceiling:.2f} (bar 0.85)")
        out[name] = {"median_us_per_molecule": med, "sum_of_stages_us": round(stage_sum, 1),
                     "two_core_upper_bound_molecules_per_s": round(bound),
                     "bound_stages_us": round(a_like, 1),
                     "b_over_a_ceiling": round(ceiling, 3)}
    # the ensemble's figures stay at the top level, where earlier results kept them
    out.update({k: v for k, v in out["ensemble"].items() if k != "b_over_a_ceiling"})
    out["versions"] = library_versions()
    write_result("screen_stages.json", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
