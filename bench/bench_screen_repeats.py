"""The distilled screen against the bound, repeated and interleaved: medians (issue 18).

``bench_screen.py`` measures each configuration once; on a shared host one run moves its ratios
by ±20-25 %, which is as much as the distance of the distilled model's ratios from their bars.
Here the same 1,000,000 molecules (Enamine 50k × 20), two workers, and the model of
``bench_screen.py`` distilled into one 5-head net, run in ``--rounds`` rounds of

(a) the bound (RDKit parse + the model's fingerprints, nothing written);
(b') ``screen`` from SMILES and (c') from the library index, in float32;
(b'8), (c'8) the same with ``--precision int8`` (int8 dense layers);

each round in a rotated order, so that a drift of the load does not always fall on the same
configuration. Each ratio is taken inside its round, then the median over rounds is reported
(with the rounds themselves). Bars: (b) ≥ 0.85 × (a), (c) ≥ 4 × (b); peak RSS < 2 GB.
Writes ``bench/results/screen_repeats_distilled.json``; skips without ``../shared/data``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_screen import bound, build_model, cpu_info, timed_cli
from common import ENAMINE, OCELOT, enamine_smiles, git_commit, write_result

CONFIGS = ("a", "b", "c", "b8", "c8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (OCELOT.exists() and ENAMINE.exists()):
        print("skipped: ../shared/data (OCELOT, Enamine50k) not found")
        return 0
    from redoxscreen.models.card import read_model_card
    from redoxscreen.runtime.runs import file_sha256, library_versions

    base, n = enamine_smiles(), args.molecules
    cli = [sys.executable, "-m", "redoxscreen"]
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        library = tmp / "library.smi"
        library.write_text("\n".join((base * -(-n // len(base)))[:n]) + "\n")
        print("training the ensemble, distilling it, indexing the library ...", flush=True)
        model_dir = build_model(tmp, args.seed)
        student = tmp / "student"
        subprocess.run([*cli, "distill", str(model_dir), "-o", str(student), "--library",
                        str(library), "--n-library", "20000", "--max-epochs", "3"],
                       check=True, capture_output=True)
        index = tmp / "lib.rsidx"
        timed_cli([*cli, "index", str(library), "--model", str(student), "-o", str(index),
                   "--workers", str(args.workers), "--chunk-size", str(args.chunk_size)])
        config = read_model_card(student).meta["featurizer"]
        opts = ["--solvent", "acetonitrile", "--collector", "Al", "--uncertainty", "conformal",
                "--workers", str(args.workers), "--chunk-size", str(args.chunk_size)]

        def run(key: str, r: int) -> tuple[float, float]:
            if key == "a":
                return bound(library, config, args.workers, args.chunk_size), 0.0
            source = library if key.startswith("b") else index
            extra = ["--precision", "int8"] if key.endswith("8") else []
            seconds, mem = timed_cli([*cli, "screen", str(student), str(source), *opts,
                                      *extra, "--out", str(tmp / f"{key}_{r}")])
            return n / seconds, mem.peak_bytes / 2**30

        for r in range(args.rounds):
            order = CONFIGS[r % len(CONFIGS):] + CONFIGS[:r % len(CONFIGS)]
            rate, rss = {}, {}
            for key in order:
                rate[key], rss[key] = run(key, r)
                print(f"round {r} ({key}): {rate[key]:,.0f} molecules/s"
                      + (f", peak RSS {rss[key]:.2f} GiB" if rss[key] else ""), flush=True)
            rounds.append({"order": list(order), "molecules_per_second": {
                k: round(v) for k, v in rate.items()}, "peak_rss_gib": {
                k: round(v, 3) for k, v in rss.items() if k != "a"}, "ratios": {
                "b_over_a": round(rate["b"] / rate["a"], 3),
                "c_over_b": round(rate["c"] / rate["b"], 2),
                "b8_over_a": round(rate["b8"] / rate["a"], 3),
                "c8_over_b8": round(rate["c8"] / rate["b8"], 2),
                "b8_over_b": round(rate["b8"] / rate["b"], 3),
                "c8_over_c": round(rate["c8"] / rate["c"], 3)}})
            for d in tmp.glob(f"*_{r}"):  # 1M-row run folders: ~150 MB each
                subprocess.run(["rm", "-rf", str(d)], check=True)
    median = {k: round(statistics.median(x["ratios"][k] for x in rounds), 3)
              for k in rounds[0]["ratios"]}
    rates = {k: round(statistics.median(x["molecules_per_second"][k] for x in rounds))
             for k in CONFIGS}
    rss_max = max(v for x in rounds for v in x["peak_rss_gib"].values())
    print("median ratios", median, "max RSS", rss_max)
    write_result("screen_repeats_distilled.json", {
        "benchmark": "distilled 5-head FCNN screen vs the bound, interleaved rounds, medians",
        "commit": git_commit(), "molecules": n, "workers": args.workers,
        "chunk_size": args.chunk_size, "rounds": args.rounds, "cpu": cpu_info(),
        "library_sha256": file_sha256(ENAMINE),
        "median_ratios": median, "median_molecules_per_second": rates,
        "peak_rss_gib_max": rss_max, "per_round": rounds,
        "bars": {"b_ge_0.85_a": median["b_over_a"] >= 0.85, "c_ge_4_b": median["c_over_b"] >= 4,
                 "b8_ge_0.85_a": median["b8_over_a"] >= 0.85,
                 "c8_ge_4_b8": median["c8_over_b8"] >= 4, "rss_lt_2gb": rss_max * 2**30 < 2e9},
        "versions": library_versions(),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
