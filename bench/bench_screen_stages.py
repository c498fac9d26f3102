"""Where a screening worker's time goes: microseconds per molecule for each stage, one core.

The same 5 × 2048→1024→512 FCNN ensemble as ``bench_screen.py``, 20,000 Enamine molecules,
each stage timed separately (median of ``--repeats`` runs): RDKit parse + sanitise (stereo
perception skipped), ECFP4 counts, freeing the molecules, the five nets, the conformal (CV+)
intervals; then the whole ``ChunkScreener.process`` and its Parquet write. The sum of the
stages bounds the throughput of two workers on two cores: 2 / (sum of µs) × 10⁶ molecules/s.
Writes ``bench/results/screen_stages.json``; skips when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_screen import build_model
from common import ENAMINE, OCELOT, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (OCELOT.exists() and ENAMINE.exists()):
        print("skipped: ../shared/data (OCELOT, Enamine50k) not found")
        return 0
    import torch

    from redoxscreen.models import load_model
    from redoxscreen.models.card import read_model_card
    from redoxscreen.models.inputs import member_predictions
    from redoxscreen.runtime.runs import library_versions
    from redoxscreen.screen.reader import Chunk
    from redoxscreen.screen.run import fit_calibrators
    from redoxscreen.screen.settings import ScreenSettings
    from redoxscreen.screen.worker import ChunkScreener

    torch.set_num_threads(1)  # as in a screening worker
    with gzip.open(ENAMINE, "rt") as fh:
        smiles = [line.strip() for line in fh][1:][: args.molecules]
    n = len(smiles)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_model(Path(tmp), args.seed)
        settings = ScreenSettings(solvent="acetonitrile", collector="Al",
                                  uncertainty="conformal")
        card = read_model_card(model_dir)
        settings.resolve_targets(card.targets)
        calibrators = fit_calibrators(card, settings)
        screener = ChunkScreener(load_model(model_dir), settings, calibrators)
        stages: dict[str, list[float]] = {}

        def timed(name: str, t0: float) -> float:
            t1 = time.perf_counter()
            stages.setdefault(name, []).append((t1 - t0) / n * 1e6)
            return t1

        from redoxscreen.chem.standardize import parse_for_features
        from redoxscreen.models.domain import fingerprint_matrix, molecule_facts
        from redoxscreen.screen.index import IndexChunk
        from redoxscreen.screen.index_build import build_index

        lib = Path(tmp) / "lib.smi"
        lib.write_text("\n".join(smiles) + "\n")
        build_index(lib, Path(tmp) / "lib.rsidx", card.meta["featurizer"],
                    card.meta.get("standardize"), chunk_size=n)
        shard = IndexChunk(0, 1, str(Path(tmp) / "lib.rsidx" / "shard-000000.parquet"), n)
        model, domain = screener.model, screener.model.domain
        for _ in range(args.repeats):
            t = time.perf_counter()
            mols, _, _ = parse_for_features(smiles, screener.sanitize_ops, None)
            t = timed("parse_sanitize", t)
            mols, _, _ = screener.parse(smiles)
            t = timed("parse_and_standardize", t)
            valid = [m for m in mols if m is not None]
            X = model.featurizer.transform_mols(valid)
            t = timed("ecfp4_counts", t)
            bits, facts = fingerprint_matrix(valid), molecule_facts(valid)
            t = timed("domain_bits_and_facts", t)
            domain.classify(facts, bits)
            t = timed("domain_similarity_and_rules", t)
            del mols, valid
            t = timed("free_molecules", t)
            members = member_predictions(model.estimator, X)
            t = timed("five_nets", t)
            members = members.reshape(members.shape[0], X.shape[0], -1)
            for target, cal in calibrators.items():
                cal.interval(members[:, :, model.targets.index(target)])
            t = timed("cv_plus_intervals", t)
            df = screener.process(Chunk(index=0, first_row=1, smiles=smiles, ids=None))
            t = timed("process_total", t)
            df.to_parquet(Path(tmp) / "part.parquet")
            t = timed("parquet_write", t)
            screener.process(shard)
            timed("process_from_index", t)
    med = {k: round(statistics.median(v), 1) for k, v in stages.items()}
    stage_sum = sum(v for k, v in med.items() if k not in (
        "process_total", "parquet_write", "process_from_index", "parse_sanitize"))
    bound = 2e6 / (med["process_total"] + med["parquet_write"])
    for k, v in med.items():
        print(f"{k:>20s}: {v:7.1f} µs/molecule")
    print(f"sum of stages {stage_sum:.0f} µs; whole chunk {med['process_total']:.0f} µs → at most "
          f"{bound:,.0f} molecules/s on 2 cores with no other overhead (bar: 8,000)")
    write_result("screen_stages.json", {
        "benchmark": "screening worker, µs per molecule per stage, one core",
        "molecules": n, "repeats": args.repeats, "median_us_per_molecule": med,
        "all_runs_us": {k: [round(x, 1) for x in v] for k, v in stages.items()},
        "sum_of_stages_us": round(stage_sum, 1),
        "two_core_upper_bound_molecules_per_s": round(bound),
        "versions": library_versions(),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
