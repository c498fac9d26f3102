"""The applicability domain: training ranges, nearest neighbours, thresholds from the CV error,
and saving without pickle."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdkit import Chem

from redoxscreen.models.domain import (
    Domain,
    TrainingIndex,
    fingerprint_matrix,
    fit_domain,
    max_tanimoto,
    similarity_thresholds,
)

M = Chem.MolFromSmiles


def test_nearest_training_molecule_and_its_similarity():
    index = TrainingIndex.from_smiles(["c1ccccc1O", "c1ccccc1O", "CCCCCC", "bad smiles"])
    assert len(index) == 2  # duplicates and invalid SMILES are not indexed
    sims, names = index.nearest([M(s) for s in ("c1ccccc1O", "Cc1ccccc1O", "CCCCCCC")])
    assert sims[0] == 1.0 and names[0] == "c1ccccc1O"
    assert 0.2 < sims[1] < 1.0 and names[1] == "c1ccccc1O"
    assert names[2] == "CCCCCC"
    assert index.describe()["elements"] == ["C", "H", "O"]


def test_max_tanimoto_matches_rdkit():
    from rdkit import DataStructs

    from redoxscreen.models.domain import fingerprints

    train = ["c1ccccc1O", "CCN(CC)CC", "O=C1C=CC(=O)C=C1", "c1ccc2ccccc2c1", "CCOC(C)=O"]
    query = ["Oc1ccccc1C", "CCNCC", "c1ccccc1", "CC(=O)OCC", "[Na+].[Cl-]"]
    best, arg = max_tanimoto(fingerprint_matrix([M(s) for s in query]),
                             fingerprint_matrix([M(s) for s in train]))
    tf = fingerprints([M(s) for s in train])
    for i, fp in enumerate(fingerprints([M(s) for s in query])):
        ref = np.asarray(DataStructs.BulkTanimotoSimilarity(fp, tf))
        assert best[i] == pytest.approx(ref.max())
        assert ref.max() == 0 or arg[i] == ref.argmax()


def test_float16_ratios_order_as_their_int16_bit_patterns():
    # max_tanimoto's argmax reads the float16 ratios as int16: true for every finite value ≥ +0
    import torch

    bits = torch.arange(0, 0x7C00, dtype=torch.int32).to(torch.int16)  # +0 … largest finite
    values = bits.view(torch.float16).float()
    assert torch.isfinite(values).all() and (values.diff() > 0).all()
    x = torch.tensor([[0.25, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=torch.float16)
    assert x.view(torch.int16).argmax(dim=1).tolist() == x.argmax(dim=1).tolist() == [1, 0]


def test_thresholds_sit_where_the_error_doubles_and_triples():
    rng = np.random.default_rng(0)
    sims = rng.uniform(0.2, 1.0, 4000)
    err = np.where(sims > 0.6, 1.0, np.where(sims > 0.4, 2.5, 4.0)) * rng.uniform(0.9, 1.1,
                                                                                  4000)
    edge, out, rule = similarity_thresholds(sims, err)
    assert edge == pytest.approx(0.6, abs=0.01) and out == pytest.approx(0.4, abs=0.01)
    assert "×3" in rule
    flat = similarity_thresholds(sims, rng.uniform(0.9, 1.1, 4000))  # error never grows
    assert flat[0] == pytest.approx(sims.min()) and flat[1] == pytest.approx(sims.min() - 0.1)


def test_assessment_names_every_reason():
    index = TrainingIndex.from_smiles(["c1ccccc1O", "Oc1ccc(O)cc1", "COc1ccc(OC)cc1",
                                       "C[n+]1ccccc1", "CC1(C)CCCC(C)(C)N1[O]"])
    dom = Domain(index, edge_similarity=0.5, out_similarity=0.3)
    got = dom.assess([M(s) for s in ("Oc1ccccc1O", "[U]", "[Na+].[Cl-]", "c1ccccc1[O-]",
                                     "[CH2]c1ccc([CH2])cc1", "CCOc1ccc(OCC)cc1",
                                     "C" * 40)])
    assert got["domain"].tolist() == ["in", "out", "out", "out", "out", "edge", "out"]
    r = got["domain_reason"].tolist()
    assert "unseen element U" in r[1] and "multi-fragment input (2 fragments)" in r[2]
    assert "charge -1 outside training range +0…+1" in r[3]
    assert "2 unpaired electrons (training 0…1)" in r[4]
    assert "nearest training similarity 0.39 (< 0.50)" in r[5]  # and 12 heavy atoms: edge
    assert "40 heavy atoms (training 7…11)" in r[6]


def test_fit_and_save_round_trip_without_pickle(tmp_path):
    from toydata import toy_frame

    df = toy_frame()
    rng = np.random.default_rng(1)
    oof = pd.DataFrame({"smiles": df["smiles"], "fold": rng.integers(0, 3, len(df)),
                        "ie_true": df["vie"], "ie_pred": df["vie"] + rng.normal(0, 0.1,
                                                                                 len(df))})
    dom = fit_domain(oof, ["ie"])
    assert 0 <= dom.out_similarity <= dom.edge_similarity <= 1
    assert sum(b["n"] for b in dom.profile) == len(dom.index)
    dom.save(tmp_path)
    card = json.loads((tmp_path / "domain.json").read_text())
    assert card["edge_similarity"] == dom.edge_similarity and "error_by_similarity" in card
    back = Domain.load(tmp_path)
    assert (back.index.bits != dom.index.bits).nnz == 0
    mols = [M(s) for s in df["smiles"].head(20)]
    pd.testing.assert_frame_equal(back.assess(mols), dom.assess(mols))


@pytest.mark.parametrize("spec, offset", [("ecfp:r=2,bits=2048", 0), ("default", 1024),
                                          ("ecfp:r=2,bits=2048,bits-only", 0),
                                          ("ecfp:r=3,bits=2048", None), ("maccs", None)])
def test_domain_bits_come_from_the_features_when_a_block_holds_them(toy_df, spec, offset):
    from redoxscreen.chem.standardize import parse_for_features
    from redoxscreen.features import make_featurizer
    from redoxscreen.models.domain import domain_bits, fingerprint_matrix, morgan_block

    f = make_featurizer(spec)
    assert morgan_block(f) == offset
    mols = [m for m in parse_for_features(toy_df["smiles"].tolist(), f.sanitize_ops, None)[0]
            if m is not None]
    got = domain_bits(mols, f.transform_mols(mols), morgan_block(f))
    assert (got != fingerprint_matrix(mols)).nnz == 0


# bracket-free SMILES (read from the text) beside bracketed and dotted ones (read from the mol)
FACT_SMILES = ["ClCCl", "ClCl", "*CC", "Brc1ccccc1", "FC(F)(F)F", "O=[N+]([O-])c1ccccc1",
               "CC(=O)[O-].[Na+]", "[CH2]C", "C[N+](C)(C)C", "BrBr", "OB(O)c1ccccc1",
               "C1CC1.CC", "CN(=O)=O", "CS(=O)(=O)C", "c1ccncc1", "[2H]C", "ICI", "c1cc[nH]c1",
               "C[C@H](N)C(=O)O", "O=c1cc[se]cc1", "C1=CC=CC=C1P(Cl)Cl", "S=C=S"]


def test_facts_read_from_the_smiles_equal_those_from_the_molecule():
    from redoxscreen.models.domain import molecule_facts

    mols = [M(s) for s in FACT_SMILES]
    assert all(m is not None for m in mols)
    from_mols, from_text = molecule_facts(mols), molecule_facts(mols, FACT_SMILES)
    pd.testing.assert_frame_equal(from_mols, from_text)
    facts = from_text.set_index(pd.Index(FACT_SMILES))
    assert facts.loc["ClCl", "elements"] == "Cl"  # not C: 'l' belongs to chlorine
    assert facts.loc["*CC", "elements"] == "*,C"
    assert facts.loc["FC(F)(F)F", "elements"] == "C,F"  # H is never listed
    assert facts.loc["CC(=O)[O-].[Na+]", ["fragments", "charge"]].tolist() == [2, 0]
    assert facts.loc["[CH2]C", "radicals"] == 1
    assert facts.loc["C[N+](C)(C)C", "charge"] == 1
    assert facts.loc["O=c1cc[se]cc1", "elements"] == "C,O,Se"


def test_max_tanimoto_is_exact_across_dense_blocks(monkeypatch):
    """Training sets larger than one tile are scanned tile by tile, same answer."""
    import redoxscreen.models.domain as domain

    rng = np.random.default_rng(0)
    smiles = [s for s in FACT_SMILES if "*" not in s]
    T = fingerprint_matrix([M(s) for s in smiles])
    Q = fingerprint_matrix([M(s) for s in rng.permutation(smiles)[:8]])
    whole = max_tanimoto(Q, T)
    monkeypatch.setattr(domain, "TILE", 3)
    monkeypatch.setattr(domain, "BLOCK", 2)
    blocked = max_tanimoto(Q, T)
    assert np.array_equal(whole[1], max_tanimoto(Q, T, domain.dense_tiles(T))[1])
    assert np.array_equal(whole[0], blocked[0]) and np.array_equal(whole[1], blocked[1])
    assert (whole[0] == 1.0).all()  # every query is a training molecule


def test_max_tanimoto_names_a_neighbour_within_1e3_and_gives_its_exact_similarity():
    from rdkit import DataStructs

    from redoxscreen.models.domain import fingerprints

    smiles = [s for s in FACT_SMILES if "*" not in s]
    train, query = smiles[::2], smiles[1::2]
    best, arg = max_tanimoto(fingerprint_matrix([M(s) for s in query]),
                             fingerprint_matrix([M(s) for s in train]))
    tf = fingerprints([M(s) for s in train])
    for i, fp in enumerate(fingerprints([M(s) for s in query])):
        ref = np.asarray(DataStructs.BulkTanimotoSimilarity(fp, tf))
        assert best[i] == pytest.approx(ref.max(), abs=1e-3)
        if ref.max() > 0:
            assert best[i] == pytest.approx(ref[arg[i]], rel=1e-12)


_TOKENS = ["B", "Br", "C", "Cl", "N", "O", "P", "S", "F", "I", "b", "c", "n", "o", "p", "s",
           "*", "=", "#", "(", ")", "1", "2", "%10", "/", "\\"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30))
def test_plain_smiles_elements_equal_a_tokeniser(tokens):
    """The substring tests give what tokenising the organic subset gives, on any string of
    its tokens (Br and Cl adjacent to B and C included)."""
    import re

    from redoxscreen.models.domain import plain_smiles_elements

    text = "".join(tokens)
    tokenised = re.findall(r"Cl|Br|[BCNOPSFIbcnops*]", text)
    assert plain_smiles_elements(text) == ",".join(sorted({t.capitalize() for t in tokenised}))
