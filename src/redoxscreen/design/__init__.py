"""Inverse design: registered generators, the design objective and its constraints, and the
evolutionary loop that joins them (the command is :mod:`redoxscreen.pipeline.design`)."""

from redoxscreen.design.constraints import Constraints, load_unwanted, sa_score
from redoxscreen.design.generators import GENERATORS, make_generator
from redoxscreen.design.objective import DesignObjective, similarity_weight
from redoxscreen.design.search import SearchLog, SearchSettings, evolve

__all__ = ["GENERATORS", "Constraints", "DesignObjective", "SearchLog", "SearchSettings",
           "evolve", "load_unwanted", "make_generator", "sa_score", "similarity_weight"]
