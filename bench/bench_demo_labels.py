"""The demo before and after its labels moved to solution: how many molecules pass each role and
which core families top each list, from two demo run folders.

    .venv/bin/python bench/bench_demo_labels.py BEFORE_DIR AFTER_DIR [--before-commit C]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import git_commit, write_result  # noqa: E402


def families() -> dict[str, str]:
    from importlib import resources

    cores = pd.read_csv(Path(str(resources.files("redoxscreen") / "chem" / "data" /
                                 "cores.csv")))
    return dict(zip(cores["name"], cores["family"], strict=True))


def describe(run: Path, fam: dict[str, str], top: int = 20) -> dict:
    summary = json.loads((run / "demo_summary.json").read_text())
    out = {"seconds": summary["seconds"], "library_molecules": summary["library_molecules"],
           "roles": {}}
    for role, counts in summary["screen"].items():
        t = pd.read_csv(run / "screen" / f"top_{role}.csv").head(top)
        pot = counts["potential_column"]
        out["roles"][role] = {
            "pass": counts["pass"], "in_window": counts["in_window"],
            "pass_fraction": counts["pass"] / summary["library_molecules"],
            f"top{top}_families": t["id"].map(fam).fillna(t["id"]).value_counts().to_dict(),
            f"top{top}_median_{pot}": float(t[pot].median()),
            "oracle_check": summary["oracle_check"].get(role)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--before-commit", default="")
    args = parser.parse_args()
    fam = families()
    res = {"before": {"commit": args.before_commit, **describe(args.before, fam)},
           "after": {"commit": git_commit(), **describe(args.after, fam)}}
    for when, r in res.items():
        for role, v in r["roles"].items():
            print(f"{when} {role}: {v['pass']} pass ({v['pass_fraction']:.1%}); top 20: "
                  + ", ".join(f"{k} {n}" for k, n in v["top20_families"].items()))
    write_result("demo_labels.json", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
