import pandas as pd
import pytest

from redoxscreen.oracle import OracleResult, XTBOracle, label_many
from redoxscreen.runtime.errors import ConfigError

pytest.importorskip("tblite")


@pytest.fixture(scope="module")
def oracle():
    return XTBOracle(seed=0)


def test_benzene_and_anthracene_are_close_to_experiment(oracle):
    benzene = oracle.label("c1ccccc1")
    assert benzene.status == "ok"
    assert benzene.ie_ev == pytest.approx(9.24, abs=0.5)  # exp. vertical IE 9.24 eV
    assert benzene.ea_ev < 0  # benzene's anion is unbound
    anthracene = oracle.label("c1ccc2cc3ccccc3cc2c1")
    assert anthracene.ie_ev < benzene.ie_ev and anthracene.ea_ev > benzene.ea_ev


def test_radicals_and_charged_molecules_are_handled(oracle):
    tempo = oracle.label("CC1(C)CCCC(C)(C)N1[O]")  # odd electron count: doublet neutral
    assert tempo.status == "ok" and 6 < tempo.ie_ev < 10
    mv = oracle.label("C[n+]1ccc(-c2cc[n+](C)cc2)cc1")  # dication: EA is large
    assert mv.status == "ok" and mv.ea_ev > 4


def test_failures_are_recorded_not_raised(oracle):
    bad = oracle.label("C1CC(")
    assert bad.status == "failed" and "syntax" in bad.reason
    metal = oracle.label("[Fe]")
    assert metal.status == "failed" and metal.reason


def test_label_many_is_resumable(tmp_path):
    calls = []

    class Fake:
        name = "fake"

        def label(self, smiles):
            calls.append(smiles)
            if smiles == "CCCl":  # a labeller bug
                raise RuntimeError("kaput")
            return OracleResult(smiles, 1.0, 2.0, method="fake")

    out = tmp_path / "labels.csv"
    label_many(Fake(), ["CCO", "CCN", "CCCl"], out)
    res = label_many(Fake(), ["CCO", "CCN", "CCCl", "CCC", "CCC", "C1CC"], out)
    assert calls == ["CCO", "CCN", "CCCl", "CCC"]  # an invalid SMILES never reaches the oracle
    assert len(res) == 5
    assert res.set_index("smiles").loc["CCCl", "status"] == "failed"
    assert "kaput" in res.set_index("smiles").loc["CCCl", "reason"]
    assert "syntax error" in res.set_index("smiles").loc["C1CC", "reason"]
    assert pd.read_csv(out)["smiles"].is_unique


def test_xtb_geometry_optimisation_lowers_the_energy():
    import numpy as np
    from rdkit import Chem

    from redoxscreen.oracle.xtb import ANGSTROM_BOHR, embed

    oracle = XTBOracle(seed=0)
    mol, _ = embed(Chem.MolFromSmiles("CCO"), seed=0)
    z = np.array([a.GetAtomicNum() for a in mol.GetAtoms()])
    pos = mol.GetConformer().GetPositions() * ANGSTROM_BOHR
    before = oracle._energy(z, pos, 0)
    after = oracle._energy(z, oracle._relax(z, pos, 0), 0)
    assert after < before
    res = XTBOracle(seed=0, optimize=True).label("CCO")
    assert res.status == "ok" and 9 < res.ie_ev < 12


def test_a_relaxation_restarting_each_scf_ends_where_fresh_calculators_do():
    import numpy as np
    from rdkit import Chem
    from scipy.optimize import minimize

    from redoxscreen.oracle.xtb import ANGSTROM_BOHR, embed

    oracle = XTBOracle(method="GFN2-xTB", seed=0, solvent="acetonitrile")
    mol, _ = embed(Chem.MolFromSmiles("O=C1C=CC(=O)C=C1"), seed=0)
    z = np.array([a.GetAtomicNum() for a in mol.GetAtoms()])
    pos = mol.GetConformer().GetPositions() * ANGSTROM_BOHR

    def fresh(x):  # the reference: a new calculator and a cold SCF at every step
        res = oracle._calculator(z, x.reshape(-1, 3), -1).singlepoint()
        return float(res.get("energy")), res.get("gradient").ravel()

    ref = minimize(fresh, pos.ravel(), jac=True, method="L-BFGS-B",
                   options={"maxiter": 200, "gtol": 1e-4})
    ours = oracle._energy(z, oracle._relax(z, pos, -1), -1)
    assert ours == pytest.approx(ref.fun, abs=2e-5)  # Hartree: 0.5 meV
    assert ours < oracle._energy(z, pos, -1)


def test_parallel_labelling_after_torch_started_threads(tmp_path):
    import torch

    torch.set_num_threads(2)
    torch.ones(256, 256) @ torch.ones(256, 256)  # starts torch's thread pool, as training does
    res = label_many(XTBOracle(seed=0), ["CO", "CCO", "CCCO"], tmp_path / "l.csv", n_workers=2)
    assert sorted(res["smiles"]) == ["CCCO", "CCO", "CO"] and (res["status"] == "ok").all()


def test_implicit_solvent_stabilises_both_ions_and_gives_potentials():
    gas = XTBOracle(method="GFN2-xTB", seed=0).label("O=C1C=CC(=O)C=C1")
    acn = XTBOracle(method="GFN2-xTB", seed=0, solvent="MeCN").label("O=C1C=CC(=O)C=C1")
    assert acn.status == "ok" and acn.method == "tblite:GFN2-xTB+ALPB(acetonitrile)"
    # a cation and an anion of a small molecule gain 1-3 eV of solvation in acetonitrile
    assert 1.0 < acn.ea_ev - gas.ea_ev < 3.0 and 1.0 < gas.ie_ev - acn.ie_ev < 3.0
    # absolute → vs Li/Li+: −4.44 V (SHE) + 3.04 V (Li/Li+ vs SHE)
    assert acn.e_red_v_li == pytest.approx(acn.ea_ev - 1.40)
    assert acn.e_ox_v_li == pytest.approx(acn.ie_ev - 1.40)
    assert gas.e_red_v_li is None  # a gas-phase energy is not a potential
    gb = XTBOracle(method="GFN2-xTB", seed=0, solvent="water", solvation="gbsa").label("CO")
    assert gb.status == "ok" and "GBSA(h2o)" in gb.method


def test_unparameterised_solvent_is_an_error_listing_the_known_ones():
    with pytest.raises(ConfigError, match="no parameters for dimethyl carbonate.*acetonitrile"):
        XTBOracle(solvent="DMC")
    with pytest.raises(ConfigError, match="unknown solvent"):
        XTBOracle(solvent="kerosene")


def test_adiabatic_relaxes_the_ions():
    vert = XTBOracle(method="GFN2-xTB", seed=0, optimize=True).label("O=C1C=CC(=O)C=C1")
    adia = XTBOracle(method="GFN2-xTB", seed=0, adiabatic=True).label("O=C1C=CC(=O)C=C1")
    assert adia.method.endswith(":adiabatic")
    assert adia.ea_ev >= vert.ea_ev - 1e-4 and adia.ie_ev <= vert.ie_ev + 1e-4
