"""The vectorised missing-value emissions (alignkit.personas.lca_emission) reach StepMix's own likelihood."""

from __future__ import annotations

import numpy as np

from alignkit.personas.lca import LatentClassModel
from tests.personas.test_lca import BLOCKS, planted_survey


def test_fast_emissions_match_stepmix_own():
    # LatentClassModel swaps in vectorised copies of StepMix's missing-value multinomial and Bernoulli models:
    # fitted from the same start on the same answers, the stock models must reach the same likelihood.
    from stepmix.stepmix import StepMix

    answers, _ = planted_survey(300, seed=8, missing=0.2)
    model = LatentClassModel(3, blocks=BLOCKS, n_init=2, random_state=0).fit(answers)
    choices = [c for c in answers.columns if not c.startswith("channel_")]
    codes = np.column_stack(
        [
            np.array(
                [model.levels_[c].index(v) if isinstance(v, str) else np.nan for v in answers[c].astype(object)],
                dtype=float,
            )
            for c in choices
        ]
    )
    options = answers[list(BLOCKS)].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    stock = StepMix(
        3,
        measurement={
            "choices": {"model": "categorical_nan", "n_columns": len(choices)},
            "options": {"model": "binary_nan", "n_columns": len(BLOCKS)},
        },
        n_init=2,
        max_iter=300,
        abs_tol=1e-6,
        random_state=0,
        verbose=0,
        progress_bar=0,
    )
    stock.fit(np.column_stack([codes, options]))
    np.testing.assert_allclose(
        stock.score(np.column_stack([codes, options])) * len(answers), model.log_likelihood_, rtol=1e-9
    )
    np.testing.assert_allclose(stock.n_parameters, model.n_parameters_)
