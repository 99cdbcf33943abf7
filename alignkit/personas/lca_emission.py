"""StepMix's missing-value emission models for the latent class personas (``alignkit.personas.lca``), vectorised:
the same estimates as StepMix's own (a test compares the likelihoods), 5× faster on survey-sized data, and a floor
under each class's Gaussian variance. ``StepMixLCA`` uses them without patching StepMix for anyone else."""

from __future__ import annotations

import inspect

import numpy as np
from stepmix.emission.build_emission import EMISSION_DICT
from stepmix.emission.categorical import BernoulliNan, MultinoulliNan
from stepmix.emission.gaussian import GaussianDiagNan
from stepmix.emission.nested import Nested
from stepmix.stepmix import StepMix

# On the robust scale (units of interquartile range) a class's variance may not fall below this. Survey numbers
# are often discrete (team size 1, income 0): without a floor one class can sit on a single value, its variance
# goes to zero and its likelihood to infinity. StepMix's missing-value Gaussian has no reg_covar to stop that.
VARIANCE_FLOOR = 0.01
# EM stops when the mean log-likelihood per respondent gains less than this. StepMix's default, 1e-10, took 14 s
# instead of 9 s on 50,000 synthetic respondents for the same labels and 0.02 more total log-likelihood.
EM_TOLERANCE = 1e-6
STEPMIX_TAKES_WEIGHTS = "sample_weight" in inspect.signature(StepMix.fit).parameters


class _GaussianDiagNanFloor(GaussianDiagNan):
    """StepMix's missing-value diagonal Gaussian with a floor under each class's variance."""

    def _compute_cov(self, X, resp, resp_sums):
        return np.maximum(super()._compute_cov(X, resp, resp_sums), VARIANCE_FLOOR)


def _observed_share(X: np.ndarray, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (Σ x·resp, Σ observed·resp) per column and class, missing entries counting in neither."""
    observed = ~np.isnan(X)
    counts = np.where(observed, X, 0.0).T @ resp
    totals = observed.T.astype(float) @ resp
    return counts, np.maximum(totals, 1e-300)  # a class with no weight on a column: probability 0, not NaN


class _MultinoulliNanFast(MultinoulliNan):
    """StepMix's missing-value multinomial, the same estimates vectorised. StepMix normalises one one-hot column at
    a time and re-encodes the integer codes in a Python loop at every E and M step: 13 s for 5 starts on 5,000
    synthetic respondents where this takes 2.4 s, to the same likelihood. LatentClassModel hands it one-hot rows
    (integer_codes=False)."""

    def m_step(self, X, resp):
        counts, totals = _observed_share(self.encode_features(X), resp)
        self.parameters["pis"] = (counts / totals).T

    def log_likelihood(self, X):
        X = self.encode_features(X)
        pis = np.clip(self.parameters["pis"].T, 1e-15, 1 - 1e-15)
        return np.where(np.isnan(X), 0.0, X) @ np.log(pis)


class _BernoulliNanFast(BernoulliNan):
    """StepMix's missing-value Bernoulli, the same estimates vectorised (no per-column loop, no nan_to_num)."""

    def m_step(self, X, resp):
        counts, totals = _observed_share(X, resp)
        self.parameters["pis"] = (counts / totals).T

    def log_likelihood(self, X):
        observed = ~np.isnan(X)
        ones = np.where(observed, X, 0.0)
        pis = np.clip(self.parameters["pis"].T, 1e-15, 1 - 1e-15)
        return ones @ np.log(pis) + (observed - ones) @ np.log(1 - pis)


_EMISSIONS = {
    **EMISSION_DICT,
    "gaussian_diag_nan": _GaussianDiagNanFloor,
    "categorical_nan": _MultinoulliNanFast,
    "binary_nan": _BernoulliNanFast,
}


class StepMixLCA(StepMix):
    """StepMix whose nested measurement model uses the emissions above; everything else is StepMix's own."""

    def _initialize_parameters_measurement(self, X, random_state=None, init_emission=True):
        # StepMix builds nested models from its module-level EMISSION_DICT; building the Nested model here with a
        # private dict swaps in the emissions above without patching StepMix for every other user in the process.
        if not hasattr(self, "_mm"):
            self._mm = Nested(self.measurement, _EMISSIONS, n_components=self.n_components, random_state=random_state)
        if init_emission:
            self._mm.initialize(X, np.exp(self.log_resp_), random_state)
