"""The persona model: which survey answers form the personas, and a scikit-learn estimator over them (the number
of personas is chosen in ``alignkit.personas.k_choice``, the 2-D persona map is in ``alignkit.personas.map``).

``PersonaModel`` encodes each answer by its type (Likert items as ordered scores, single-select one-hot,
multi-select booleans, numbers robust-scaled; missing answers imputed and counted), weights every question so
that it carries the same total variance (a question with many options cannot dominate), then clusters (k-means
by default; Gaussian mixture and agglomerative selectable). Personas are numbered by size: label 0 is the
largest. It behaves like any scikit-learn estimator: it clones, pickles, and fits into a Pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from alignkit.errors import ConfigError, close_matches
from alignkit.personas.features import with_not_asked
from alignkit.plan import PERSONA_ANSWER_KINDS

ANSWER_KINDS = PERSONA_ANSWER_KINDS
ALGORITHMS = ("kmeans", "gmm", "agglomerative")
AGGLOMERATIVE_MAX_ROWS = 20_000


# --- which answers form the personas --------------------------------------------------------------------------


def persona_features(
    codebook: pd.DataFrame, *, features: Sequence[str] = (), profile_only: Sequence[str] = ()
) -> pd.DataFrame:
    """Return the codebook rows of the answers that form the personas, with their `block` (the question whose
    total weight they share: a multi-select question's options form one block; every other column is its own).

    By default every Likert, single-select, multi-select and numeric answer; `features` (a question group such as
    'q6' or a column) restricts the list, `profile_only` removes answers kept for describing personas only.
    """
    answers = codebook[codebook["kind"].isin(ANSWER_KINDS)].copy()
    group = (
        answers["group"].where(
            answers["group"].notna() & ~answers["group"].isin(["", "nan", "<NA>"]), answers["column"]
        )
        if "group" in answers
        else answers["column"]
    )
    answers["block"] = np.where(answers["kind"] == "multi", group, answers["column"])
    for key, names in (("personas.features", features), ("personas.profile_only", profile_only)):
        known = set(answers["column"]) | set(answers["block"]) | set(group)
        unknown = [n for n in names if n not in known]
        if unknown:
            hint = close_matches(unknown[0], sorted(known))
            raise ConfigError(
                f"{key} in the project file names {unknown}, which is not a Likert, single, multi or "
                f"numeric answer in the codebook."
                + (f" Did you mean {hint[0]!r}?" if hint else "")
                + f" Allowed: {', '.join(sorted(known))}."
            )
    chosen = answers if not features else answers[answers["column"].isin(features) | group.isin(features)]
    chosen = chosen[~(chosen["column"].isin(profile_only) | group.loc[chosen.index].isin(profile_only))]
    if chosen.empty:
        raise ConfigError(
            "personas.features / profile_only in the project file leave no survey answer to form "
            "personas from. Fix: name at least two answer columns or question groups."
        )
    return chosen.reset_index(drop=True)


# --- encoding -------------------------------------------------------------------------------------------------


def _ordered_scores(X: pd.DataFrame) -> np.ndarray:
    """Ordered categoricals as 1..n scores (float, NaN for missing); numbers pass through."""
    out = np.empty(X.shape, dtype=float)
    for j, (_, column) in enumerate(X.items()):
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy().astype(float)
            out[:, j] = np.where(codes < 0, np.nan, codes + 1)
        else:
            out[:, j] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return out


def _as_float(X: pd.DataFrame | np.ndarray) -> np.ndarray:
    frame = pd.DataFrame(X)
    return (
        np.column_stack(
            [
                pd.to_numeric(c, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                for _, c in frame.items()
            ]
        )
        if frame.shape[1]
        else np.empty((len(frame), 0))
    )


def _as_object(X: pd.DataFrame) -> np.ndarray:
    frame = pd.DataFrame(X).astype(object)
    return frame.where(frame.notna(), np.nan).to_numpy()


class RobustNumeric(TransformerMixin, BaseEstimator):
    """Numbers on a robust scale: log1p first when a non-negative column is strongly right-skewed, then minus
    the median, divided by the interquartile range, clipped to ±`clip` (an outlier cannot stretch the space)."""

    def __init__(self, clip: float = 5.0):
        self.clip = clip

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        self.n_features_in_ = X.shape[1]
        skew = pd.DataFrame(X).skew().fillna(0).to_numpy()
        self.log_ = (np.nanmin(X, axis=0, initial=np.inf) >= 0) & (skew > 1)
        Z = self._log(X)
        self.median_ = np.nanmedian(Z, axis=0)
        iqr = np.nanpercentile(Z, 75, axis=0) - np.nanpercentile(Z, 25, axis=0)
        spread = np.nanstd(Z, axis=0)
        self.scale_ = np.where(iqr > 0, iqr, np.where(spread > 0, spread, 1.0))
        return self

    def _log(self, X: np.ndarray) -> np.ndarray:
        return np.where(self.log_, np.log1p(np.clip(X, 0, None)), X)

    def transform(self, X):
        check_is_fitted(self, "scale_")
        X = np.asarray(X, dtype=float)
        return np.clip((self._log(X) - self.median_) / self.scale_, -self.clip, self.clip)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(
            input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)],
            dtype=object,
        )


def answer_kind(series: pd.Series) -> str:
    """Return how an answer column is encoded: 'likert' (ordered), 'single' (one-hot), 'multi' (0/1) or 'numeric'."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "likert" if dtype.ordered else "single"
    if pd.api.types.is_bool_dtype(dtype):
        return "multi"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "single"


def _column_encoder(kind: str) -> Pipeline:
    if kind == "likert":
        steps = [
            ("score", FunctionTransformer(_ordered_scores, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
        ]
    elif kind == "multi":
        steps = [
            ("value", FunctionTransformer(_as_float, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
        ]
    elif kind == "numeric":
        steps = [
            ("value", FunctionTransformer(_as_float, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", RobustNumeric()),
        ]
    else:
        steps = [
            ("label", FunctionTransformer(_as_object, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]
    return Pipeline(steps)


class ColumnScale(TransformerMixin, BaseEstimator):
    """Multiply each column by a fixed factor (the question weights learnt by PersonaModel)."""

    def __init__(self, scale=None):
        self.scale = scale

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float) * np.asarray(self.scale, dtype=float)

    def get_feature_names_out(self, input_features=None):
        return np.asarray(input_features, dtype=object)


def _weighted_variance(Z: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = np.average(Z, axis=0, weights=w)
    return np.average((Z - mean) ** 2, axis=0, weights=w)


def answers_frame(estimator: BaseEstimator, X, *, reset: bool, what: str) -> pd.DataFrame:
    """Return X as a DataFrame of answers for a persona estimator, checked as scikit-learn checks its input (2-D,
    dense, finite where present; the fitted columns present), with skip-logic columns given their 'not asked'
    level; on `reset` it records ``n_features_in_`` and ``feature_names_in_`` on the estimator."""
    name = type(estimator).__name__
    if issparse(X):
        raise TypeError(f"{name} does not support sparse input: pass a DataFrame of survey answers or a dense array.")
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        array = np.asarray(X)
        if np.iscomplexobj(array):
            raise ValueError("Complex data not supported.")
        if array.ndim != 2:
            raise ValueError(f"Expected 2D array, got {array.ndim}D array instead. Reshape your data.")
        if array.dtype.kind not in "biuf":
            array = array.astype(float)
        if array.dtype.kind == "f" and np.isinf(array).any():
            raise ValueError("Input contains infinity; missing answers may be NaN, never infinite.")
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    if reset:
        if frame.shape[1] == 0:
            raise ValueError(f"0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
        estimator.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame):
            estimator.feature_names_in_ = np.asarray(frame.columns, dtype=object)
    else:
        if frame.shape[1] != estimator.n_features_in_ and not isinstance(X, pd.DataFrame):
            raise ValueError(
                f"X has {frame.shape[1]} features, but {name} is expecting "
                f"{estimator.n_features_in_} features as input."
            )
        missing = [c for c in estimator.features_ if c not in frame.columns]
        if missing:
            raise ValueError(f"X has no column(s) {missing}, which {what} was fitted on.")
    return with_not_asked(frame, [c for c in (estimator.not_asked or []) if c in frame.columns])


# --- the estimator --------------------------------------------------------------------------------------------


class PersonaModel(ClusterMixin, TransformerMixin, BaseEstimator):
    """Personas from mixed survey answers: encode by answer type, weight questions equally, cluster.

    Parameters
    ----------
    n_clusters : number of personas.
    algorithm : 'kmeans' (default), 'gmm' (Gaussian mixture, diagonal covariances) or 'agglomerative' (Ward).
    features : the answer columns to use (None: every column of X whose type can be encoded).
    blocks : column -> question it belongs to; columns of one question share one unit of weight (None: each
        column is its own question).
    n_init : k-means / mixture restarts. random_state : seed.
    not_asked : columns of skip-logic questions whose blanks enter as a "not asked" level (one-hot), not imputed.
    unordered : ordered columns encoded one-hot all the same (bands: their steps are of unknown, unequal size).

    Attributes (after fit): ``labels_`` (persona index per row, 0 = largest persona), ``cluster_centers_`` (in the
    weighted answer space), ``n_clusters_``, ``kinds_`` (column -> encoding), ``question_weights_``,
    ``missing_counts_`` (missing answers imputed, per column), ``pipeline_`` (encode → weight → cluster),
    ``feature_names_in_``, ``n_features_in_``.
    ``transform`` returns the weighted answer space the personas live in (the persona map's input).
    """

    def __init__(
        self,
        n_clusters: int = 5,
        *,
        algorithm: str = "kmeans",
        features: Sequence[str] | None = None,
        blocks: Mapping[str, str] | None = None,
        n_init: int = 10,
        random_state: int | None = None,
        not_asked: Sequence[str] | None = None,
        unordered: Sequence[str] | None = None,
    ):
        self.not_asked = not_asked
        self.unordered = unordered
        self.n_clusters = n_clusters
        self.algorithm = algorithm
        self.features = features
        self.blocks = blocks
        self.n_init = n_init
        self.random_state = random_state

    # the unfitted checks of scikit-learn: every learnt attribute ends in "_"
    def _frame(self, X, *, reset: bool) -> pd.DataFrame:
        return answers_frame(self, X, reset=reset, what="the persona model")

    def _clusterer(self, n_clusters: int, seed) -> BaseEstimator:
        if self.algorithm == "kmeans":
            return KMeans(n_clusters=n_clusters, n_init=self.n_init, random_state=seed)
        if self.algorithm == "gmm":
            return GaussianMixture(
                n_components=n_clusters, covariance_type="diag", n_init=self.n_init, random_state=seed
            )
        if self.algorithm == "agglomerative":
            return AgglomerativeClustering(n_clusters=n_clusters, linkage="ward")
        raise ValueError(f"algorithm={self.algorithm!r} is not one of {ALGORITHMS}.")

    def fit(self, X, y=None, sample_weight=None):
        """Learn the encoding, the question weights and the personas; return self."""
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm={self.algorithm!r} is not one of {ALGORITHMS}.")
        frame = self._frame(X, reset=True)
        n = len(frame)
        if n < self.n_clusters or n < 2:
            raise ValueError(f"n_samples={n} should be >= n_clusters={self.n_clusters}.")
        if sample_weight is not None and self.algorithm != "kmeans":
            raise ValueError(f"algorithm={self.algorithm!r} does not take sample weights; use algorithm='kmeans'.")
        if self.algorithm == "agglomerative" and n > AGGLOMERATIVE_MAX_ROWS:
            raise ValueError(
                f"agglomerative clustering needs memory growing with the square of the rows; "
                f"{n:,} rows is more than {AGGLOMERATIVE_MAX_ROWS:,}. Use algorithm='kmeans'."
            )
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"sample_weight must be {n} finite, non-negative numbers.")
        if w.sum() <= 0:
            raise ValueError("Sample weights must contain at least one non-zero number.")
        features = list(self.features) if self.features is not None else list(frame.columns)
        absent = [c for c in features if c not in frame.columns]
        if absent:
            raise ValueError(f"X has no column(s) {absent} named in features.")
        self.features_ = features
        self.kinds_ = {c: "single" if c in (self.unordered or ()) else answer_kind(frame[c]) for c in features}
        self.missing_counts_ = frame[features].isna().sum().astype(int)
        encode = ColumnTransformer(
            [(str(c), _column_encoder(self.kinds_[c]), [c]) for c in features],
            verbose_feature_names_out=False,
            remainder="drop",
        )
        encoded = encode.fit_transform(frame)
        variance = _weighted_variance(encoded, w)
        blocks = dict(self.blocks or {})
        scale = np.ones(encoded.shape[1])
        weights = {}
        for block in dict.fromkeys(blocks.get(c, c) for c in features):
            columns = [c for c in features if blocks.get(c, c) == block]
            index = np.concatenate([np.arange(encoded.shape[1])[encode.output_indices_[str(c)]] for c in columns])
            total = variance[index].sum()
            weights[block] = 1.0 / np.sqrt(total) if total > 0 else 0.0
            scale[index] = weights[block]
        self.question_weights_ = pd.Series(weights, name="weight")
        weight = ColumnScale(scale).fit(encoded)
        Z = weight.transform(encoded)
        clusterer = self._clusterer(self.n_clusters, self.random_state)
        if self.algorithm == "kmeans":
            raw = clusterer.fit(Z, sample_weight=sample_weight).labels_
        else:
            raw = clusterer.fit_predict(Z)
        sizes = np.bincount(raw, weights=w, minlength=self.n_clusters)
        order = np.lexsort((np.arange(self.n_clusters), -sizes))  # largest first, ties by raw label
        self.relabel_ = np.empty(self.n_clusters, dtype=int)
        self.relabel_[order] = np.arange(self.n_clusters)
        self.pipeline_ = Pipeline([("encode", encode), ("weight", weight), ("cluster", clusterer)])
        self.labels_ = self.relabel_[raw]
        self.cluster_centers_ = np.vstack(
            [
                np.average(Z[self.labels_ == k], axis=0, weights=w[self.labels_ == k])
                if (self.labels_ == k).any()
                else np.zeros(Z.shape[1])
                for k in range(self.n_clusters)
            ]
        )
        self.n_clusters_ = self.n_clusters
        self.sample_weighted_ = sample_weight is not None
        self.inertia_ = float((w * ((Z - self.cluster_centers_[self.labels_]) ** 2).sum(axis=1)).sum())
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a missing answer is imputed (and counted), not an error
        return tags

    def transform(self, X):
        """Return the weighted answer space (one column per encoded answer; see get_feature_names_out)."""
        check_is_fitted(self, "pipeline_")
        frame = self._frame(X, reset=False)
        return self.pipeline_[:-1].transform(frame)

    def distances(self, X) -> np.ndarray:
        """Return each row's Euclidean distance to every persona centre (columns in persona order)."""
        Z = self.transform(X)
        return np.sqrt(((Z[:, None, :] - self.cluster_centers_[None, :, :]) ** 2).sum(axis=2))

    def predict(self, X):
        """Return the persona index of each row (0 = the largest persona at fit time)."""
        check_is_fitted(self, "pipeline_")
        Z = self.transform(X)
        clusterer = self.pipeline_[-1]
        if self.algorithm == "agglomerative":
            return np.sqrt(((Z[:, None, :] - self.cluster_centers_[None]) ** 2).sum(axis=2)).argmin(axis=1)
        return self.relabel_[clusterer.predict(Z)]

    def score(self, X, y=None, sample_weight=None) -> float:
        """Return minus the (weighted) sum of squared distances to the nearest persona centre."""
        d = self.distances(X).min(axis=1)
        w = np.ones(len(d)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        return -float((w * d**2).sum())

    def get_feature_names_out(self, input_features=None):
        """Return the names of the weighted answer-space columns (e.g. 'q4_1', 'q1_IT', 'q6_2')."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_[0].get_feature_names_out()
