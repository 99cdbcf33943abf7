"""Importing the package's analysis modules loads no heavy library they do not use at import (issue 29): each
import is checked in a fresh process, where sys.modules tells what an import really loaded."""

import json
import subprocess
import sys

import pytest

from alignkit.lazy import scipy_stats

HEAVY = ("scipy.stats", "sklearn", "matplotlib", "ibis", "umap", "seaborn", "lifelines", "stepmix", "joblib", "jinja2")


def modules_loaded_by(statement: str) -> list[str]:
    """Return the heavy libraries in sys.modules after running `statement` in a fresh interpreter."""
    probe = f"import sys, json\n{statement}\nprint(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "statement",
    [
        "import alignkit.leads, alignkit.funnel, alignkit.personas, alignkit.alignment, alignkit.plots, alignkit.stats",
        "from alignkit.leads import analysis",
        "from alignkit.prepare import validate",
        "from alignkit.prepare import quality, tables",  # notebook 01's import cell
    ],
)
def test_imports_load_no_heavy_library(statement):
    assert modules_loaded_by(statement) == []


def test_the_converting_lead_profile_runs_without_scipy_stats_or_scikit_learn():
    statement = """
import numpy as np, pandas as pd
from alignkit.stats import benjamini_hochberg, categorical_association, mann_whitney, wilson_interval
rng = np.random.default_rng(0)
y = rng.random(400) < 0.3
categorical_association(pd.Series(rng.choice(list("abc"), 400)), y)
mann_whitney(rng.normal(size=400), y)
benjamini_hochberg(np.array([0.01, 0.2, 0.04]))
wilson_interval(30, 100)
"""
    assert modules_loaded_by(statement) == []


def test_a_package_name_loads_its_module_on_first_use():
    statement = """
import alignkit.leads as leads
assert "alignkit.leads.definition" not in sys.modules
assert callable(leads.rule_sentence) and "alignkit.leads.definition" in sys.modules
assert sorted(leads.__all__) == sorted(dir(leads))
"""
    assert modules_loaded_by(statement) == []  # the rules' words need no scikit-learn


def test_scipy_stats_is_scipy_stats():
    from scipy import stats

    assert scipy_stats() is stats
