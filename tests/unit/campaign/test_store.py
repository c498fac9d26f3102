"""The campaign store writes one molecule's labels all or nothing."""

import pytest

from redoxscreen.campaign.store import CampaignStore


def test_a_molecules_labels_are_stored_all_or_nothing(tmp_path):
    rows = [{"candidate_id": 1, "target": "ie_ev", "value": 6.1, "source": "xtb", "round": 0},
            {"candidate_id": 1, "target": "ea_ev", "value": 1.2, "source": "xtb",
             "round": "not a round"}]  # the second row fails inside the database
    with CampaignStore(tmp_path, create=True) as store:
        with pytest.raises(Exception):  # noqa: B017  (DuckDB's conversion error)
            store.add_labels(rows)
        assert store.labels().empty  # not the first row alone: a resume would label it twice
        rows[1]["round"] = 0
        store.add_labels(rows)
        assert sorted(store.labels()["target"]) == ["ea_ev", "ie_ev"]
