"""Every reading command over the bad-input corpus (``tests/data/bad_inputs/README.md``):
never a traceback, exit 0 or 2 with a message naming the file, and every data row accounted
for in an output or a report."""

from pathlib import Path

import pandas as pd
import pytest
from rdkit import Chem
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.oracle import ORACLES, OracleResult

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
FILES = sorted(p.name for p in CORPUS.glob("*.csv"))
runner = CliRunner()


@ORACLES.register("heavycount", reads="smiles", listed=False)
class HeavyCount:
    name = "heavycount"

    def __init__(self, **settings):  # label passes the xTB options; ignored
        pass

    def label(self, smiles: str) -> OracleResult:
        n = Chem.MolFromSmiles(smiles).GetNumHeavyAtoms()
        return OracleResult(smiles, 6.0 + 0.01 * n, 1.0, method=self.name)


def records(name: str) -> int | None:
    """Data rows as the readers count them (blank lines are records); None if unreadable."""
    raw = (CORPUS / name).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return max(len(lines) - 1, 0)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory, toy_df):
    d = tmp_path_factory.mktemp("camp")
    cand = d / "cand.csv"
    toy_df.head(40).to_csv(cand, index=False)
    r = runner.invoke(app, ["campaign", "init", str(d / "c"), "--candidates", str(cand),
                            "--maximize", "vie"])
    assert r.exit_code == 0, r.output
    return d / "c"


def commands(model: Path, campaign: Path, f: Path, o: Path) -> dict[str, list[str]]:
    m = str(model)
    return {
        "train": ["train", str(f), "-t", "vie", "--model", "ridge", "--folds", "2", "--split",
                  "random", "--featurizer", "ecfp:r=2,bits=256", "--out", str(o / "train")],
        "predict": ["predict", m, str(f), "-o", str(o / "pred.csv")],
        "evaluate": ["evaluate", m, str(f), "--out", str(o / "eval")],
        "screen": ["screen", m, str(f), "--workers", "1", "--role", "cathode", "--out",
                   str(o / "screen")],
        "calibrate": ["calibrate", str(f), "--potential-col", "vie", "--role", "oxidation",
                      "--energy-col", "vie", "-o", str(o / "cal.json")],
        "label": ["label", str(f), "--oracle", "heavycount", "--workers", "1", "-o",
                  str(o / "labels.csv")],
        "campaign-import": ["campaign", "import", str(campaign), str(f)],
    }


def accounted(command: str, o: Path, n: int, output: str) -> None:
    """Every one of the ``n`` data rows is in an output or a report."""
    if command == "predict":
        assert len(pd.read_csv(o / "pred.csv")) == n
    elif command == "screen":
        assert len(pd.read_parquet(o / "screen" / "results.parquet")) == n
    elif command in ("train", "evaluate"):
        run = o / command.replace("evaluate", "eval")
        rep = pd.read_csv(run / "invalid_rows.csv")
        used = (pd.read_csv(run / "oof_predictions.csv") if command == "train"
                else pd.read_csv(run / "predictions.csv"))
        gone = rep[rep["action"].isin(["dropped", "merged"])]
        assert len(used) + len(gone) == n
    elif command == "label":
        got = pd.read_csv(o / "labels.csv")
        assert len(got) == got["smiles"].fillna("").nunique()  # one per distinct SMILES
        assert ((got["status"] == "ok") | got["reason"].notna()).all()
    elif command == "campaign-import":
        assert "rows" in output or "labels" in output


@pytest.mark.parametrize("name", FILES)
def test_no_traceback_and_every_row_accounted_for(name, toy_model_dir, campaign, tmp_path):
    f = CORPUS / name
    n = records(name)
    for command, args in commands(toy_model_dir, campaign, f, tmp_path).items():
        r = runner.invoke(app, args)
        crashed = r.exception is not None and not isinstance(r.exception, SystemExit)
        assert not crashed, f"{command} {name}: {r.exception!r}"
        assert r.exit_code in (0, 2), f"{command} {name}: exit {r.exit_code}"
        if r.exit_code == 2:
            err = " ".join(r.stderr.split())
            assert err.startswith("error:") or "error:" in err, (command, name, err)
            assert ("needs at least" in err or "needs at least 2" in err
                    or name in err or "fewer folds" in err), (command, name, err)
        else:
            accounted(command, tmp_path, n, r.output)


def test_the_reasons_a_user_reads(toy_model_dir, tmp_path):
    out = tmp_path / "p.csv"
    for name, want in (("unicode_lookalikes.csv", "CYRILLIC CAPITAL LETTER ES"),
                       ("huge_molecule.csv", "heavy atoms: more than 500"),
                       ("dummy_atoms.csv", "unseen element *"),
                       ("malformed_smiles.csv", "unparsable SMILES (syntax error)"),
                       ("blank_records.csv", "empty SMILES"),
                       # the fixture's model has no standardisation: salts are flagged instead
                       ("salts.csv", "multi-fragment input (2 fragments)"),
                       ("metals.csv", "unseen element Pt")):
        r = runner.invoke(app, ["predict", str(toy_model_dir), str(CORPUS / name), "-o",
                                str(out)])
        assert r.exit_code == 0, r.output
        p = pd.read_csv(out)
        reasons = " | ".join(p["reason"].fillna("").astype(str)
                             + p["domain_reason"].fillna("").astype(str))
        assert want in reasons, (name, reasons)
