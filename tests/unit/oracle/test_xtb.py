import numpy as np
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
    after = oracle._energy(z, oracle._relax(z, pos, 0)[0], 0)
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
    ours, e_relaxed = oracle._relax(z, pos, -1)
    ours = oracle._energy(z, ours, -1)
    assert e_relaxed == pytest.approx(ours, abs=1e-9)  # the energy it returns is where it ends
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


def test_li_bound_reduced_form_orders_quinones_as_experiment_does():
    oracle = XTBOracle(method="GFN2-xTB", seed=0, solvent="acetonitrile", li_bound=True)
    assert oracle.name.endswith(":li-bound") and "e_red_li_v_li" in oracle.targets
    # vs Li/Li+ in Li cells: chloranil ~3.4 V > benzoquinone ~2.9 > duroquinone ~2.5
    # > anthraquinone ~2.3 (the raw xTB values sit a few tenths of a volt high)
    smiles = ["O=C1C(Cl)=C(Cl)C(=O)C(Cl)=C1Cl", "O=C1C=CC(=O)C=C1",
              "CC1=C(C)C(=O)C(C)=C(C)C1=O", "O=C1c2ccccc2C(=O)c2ccccc12"]
    res = [oracle.label(s) for s in smiles]
    e = [r.e_red_li_v_li for r in res]
    assert e == sorted(e, reverse=True)
    assert all(2.0 < v < 4.5 for v in e)
    for r in res:  # the cycle Q + Li(s) -> LiQ with Li's cohesive energy
        assert r.e_red_li_v_li == pytest.approx(r.li_bind_ev - 1.63)
        assert set(r.values()) >= {"li_bind_ev", "e_red_li_v_li", "e_red_v_li"}
    # no site for a Li+: the rest of the labels stand, the Li-bound form is absent and said so
    butane = oracle.label("CCCC")
    assert butane.status == "ok" and butane.li_bind_ev is None and "no Li site" in butane.reason
    assert "li_bind_ev" not in butane.values() and "ie_ev" in butane.values()


def test_li_sites_are_symmetry_distinct_acceptors_carbonyls_first():
    from rdkit import Chem

    from redoxscreen.oracle.li_sites import li_sites, li_start

    def sites(smiles):
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        return [mol.GetAtomWithIdx(i).GetSymbol() for i in li_sites(mol)]

    assert sites("O=C1C=CC(=O)C=C1") == ["O"]  # both oxygens are equivalent
    assert sites("CC1=CC(=O)C=CC1=O") == ["O", "O"]
    assert sites("O=C1C=CC(=O)c2ncccc12") == ["O", "O"]  # at most two, carbonyls first
    assert sites("c1ccncc1") == ["N"] and sites("N#CC") == ["N"]
    assert sites("[O-]c1ccccc1") == ["O"]
    assert sites("c1cc[nH]c1") == [] and sites("CCCC") == []
    mol = Chem.MolFromSmiles("C=O")
    pos = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 1.2]])
    assert li_start(pos, mol, 1, 1.8) == pytest.approx([0.0, 0.0, 3.0])


def test_results_of_an_earlier_version_gain_the_new_columns_and_resume(tmp_path):
    from redoxscreen.oracle.base import COLUMNS

    out = tmp_path / "labels.csv"
    old = COLUMNS[:-2]  # written before the Li-bound columns existed
    pd.DataFrame([["CCO", 1.0, 2.0, "ok", "", 0.1, "old", "", ""]], columns=old).to_csv(
        out, index=False)
    calls = []

    class Fake:
        name = "fake"

        def label(self, smiles):
            calls.append(smiles)
            return OracleResult(smiles, 1.5, 2.5, method="fake", li_bind_ev=4.0)

    res = label_many(Fake(), ["CCO", "CCN"], out)
    assert calls == ["CCN"]  # nothing already computed is computed again
    assert list(res.columns) == COLUMNS
    assert res.set_index("smiles").loc["CCO", "method"] == "old"
    assert res.set_index("smiles").loc["CCN", "li_bind_ev"] == 4.0
    pd.DataFrame([["CCO", "x"]], columns=["smiles", "energy"]).to_csv(out, index=False)
    with pytest.raises(ConfigError, match="label into a new file"):
        label_many(Fake(), ["CCO"], out)
