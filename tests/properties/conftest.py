"""Property tests run derandomised in `make test` (the same examples every run, so CI cannot
flake on a new random draw); `HYPOTHESIS_PROFILE=explore pytest tests/properties` searches
afresh — what it finds becomes an explicit regression test."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
