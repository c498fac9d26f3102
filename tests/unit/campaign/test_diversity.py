"""Batch diversity: MaxMin keeps a batch from being one family of homologues."""

import numpy as np

from redoxscreen.campaign.diversity import select_batch
from redoxscreen.features.spec import make_featurizer

HOMOLOGUES = ["O=C1C=CC(=O)C=C1C" + "C" * k for k in range(6)]  # alkyl benzoquinones
OTHERS = ["c1ccc2ccccc2c1", "O=C1c2ccccc2C(=O)c2ccccc12", "C1=CC=[N+](C=C1)[O-]"]


def test_maxmin_spreads_the_batch_and_none_does_not():
    smiles = HOMOLOGUES + OTHERS
    X = make_featurizer("ecfp:r=2,bits=2048").transform(smiles)
    scores = np.array([1.0, 0.99, 0.98, 0.97, 0.96, 0.95, 0.9, 0.89, 0.88])
    top = select_batch(scores, X, 3, diversity="none")
    assert set(top) <= set(range(6))
    picked = select_batch(scores, X, 3, diversity="maxmin", pool_factor=3)
    assert picked[0] == 0  # the best first
    assert len(set(picked) - set(range(6))) >= 2  # then the farthest of the pool
    rows = select_batch(np.array([[0, 5, 1.0], [0, 9, 2.0]]), X[:3], 2)
    assert list(rows) == [1, 2]  # batch scores: each slot its own best, no repeats
