"""The lead score: cross-validated models of conversion, a calibrated score, its accuracy figures, the written
definition (rules, MQL threshold, bands); per-lead reasons are in `alignkit.leads.reasons`. Used by `alignkit.leads`
and `alignkit score`.

Pure on DataFrames: `fit_score(frame, numeric=…, categorical=…, outcome=…)` takes the lead table and returns a
fitted `LeadScore` that pickles with joblib and scores new leads with `reasons.score_leads`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from alignkit.leads.definition import (
    MISSING,
    assign_band,
    band_cutoffs,
    calibration_table,
    find_rules,
    gains_table,
    rule_sentence,
    threshold_at_capacity,
)
from alignkit.leads.explain import partial_dependence_curve, permutation_importance_auc
from alignkit.report.findings import USEFUL_AUC
from alignkit.report.labels import humanize
from alignkit.stats import auc_interval, wilson_interval

__all__ = [
    "BANDS",
    "CalibratedLeadScore",
    "LeadScore",
    "assign_band",
    "band_cutoffs",
    "build_models",
    "calibration_table",
    "cross_validate",
    "find_rules",
    "fit_score",
    "gains_table",
    "model_frame",
    "rule_sentence",
    "threshold_at_capacity",
]

MODEL_LABELS = {
    "logistic": "Regularised logistic regression (readable baseline)",
    "boosting": "Histogram gradient boosting",
}
BANDS = ("A", "B", "C", "D")


# --- models --------------------------------------------------------------------------------------------------


def _signed_log1p(values: np.ndarray) -> np.ndarray:
    return np.sign(values) * np.log1p(np.abs(values))


class CategoryCodes(TransformerMixin, BaseEstimator):
    """Text categories as integer codes, the known values of each column learnt at fit (sorted, as scikit-learn's
    encoders sort them); a value not seen at fit gets -1, which the one-hot encoder after it treats as unknown.

    Why: scikit-learn's encoders find and look up the values of a text column in Python, one value at a time, and
    that was most of a fit on a lead table; pandas does it in C, and the encoders are fast on integers."""

    def fit(self, X: pd.DataFrame, y: object = None) -> CategoryCodes:
        """Learn each column's known values (`categories_`, one sorted array a column)."""
        frame = pd.DataFrame(X)
        self.categories_ = [np.sort(pd.unique(frame[c].to_numpy(dtype=object))) for c in frame.columns]
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Return the codes, one integer column a category column (-1 where the value was not seen at fit)."""
        check_is_fitted(self, "categories_")
        frame = pd.DataFrame(X)
        codes = np.empty(frame.shape, dtype=np.int64)
        for j, known in enumerate(self.categories_):
            codes[:, j] = pd.Index(known).get_indexer(frame.iloc[:, j])
        return codes

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Return the input column names: one code column each."""
        return np.asarray(input_features if input_features is not None else getattr(self, "feature_names_in_", []))


def category_encoder() -> Pipeline:
    """Return the score's encoding of categories: integer codes, then one-hot with values seen fewer than 20 times
    (and values never seen) in one 'infrequent' column."""
    return make_pipeline(
        CategoryCodes(), OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20, sparse_output=False)
    )


def known_values(pipeline: Pipeline, categorical: list[str]) -> dict[str, list[str]]:
    """Return each category attribute's values as the fitted score's encoder learnt them (sorted text)."""
    if not categorical:
        return {}
    encoder = pipeline.named_steps["prepare"].named_transformers_["categories"]
    # a score saved by alignkit 0.4.0 has the one-hot encoder alone, which learnt the same sorted values
    learnt = encoder[0] if isinstance(encoder, Pipeline) else encoder
    return {c: [str(v) for v in levels] for c, levels in zip(categorical, learnt.categories_)}


def build_models(numeric: list[str], categorical: list[str], *, seed: int) -> dict[str, Pipeline]:
    """Return the two candidate pipelines (codes + one-hot / impute + scale, then the classifier), unfitted."""
    onehot = category_encoder()
    linear_numeric = make_pipeline(
        SimpleImputer(strategy="median"),
        FunctionTransformer(_signed_log1p, feature_names_out="one-to-one"),
        StandardScaler(),
    )
    logistic = Pipeline(
        [
            ("prepare", ColumnTransformer([("categories", onehot, categorical), ("numbers", linear_numeric, numeric)])),
            ("model", LogisticRegression(C=0.1, max_iter=2000)),
        ]
    )
    boosting = Pipeline(
        [
            (
                "prepare",
                ColumnTransformer(
                    [("categories", clone(onehot), categorical), ("numbers", SimpleImputer(strategy="median"), numeric)]
                ),
            ),
            (
                "model",
                HistGradientBoostingClassifier(
                    learning_rate=0.05,
                    max_iter=300,
                    max_leaf_nodes=8,
                    min_samples_leaf=200,
                    l2_regularization=1.0,
                    early_stopping=True,
                    validation_fraction=0.15,
                    n_iter_no_change=20,
                    random_state=seed,
                ),
            ),
        ]
    )
    return {"logistic": logistic, "boosting": boosting}


class CalibratedLeadScore(ClassifierMixin, BaseEstimator):
    """A fitted pipeline followed by Platt scaling fitted on out-of-fold predictions: a calibrated probability.

    Equivalent to `CalibratedClassifierCV(method="sigmoid", ensemble=False)`, reusing the cross-validation's
    out-of-fold predictions instead of refitting the model once per fold again. Monotone, so it keeps the ranking.
    """

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def fit(self, X: pd.DataFrame, y: np.ndarray, oof_margin: np.ndarray | None = None) -> CalibratedLeadScore:
        """Fit the pipeline on X, y and the calibration on `oof_margin` (out-of-fold log-odds; in-fold if None)."""
        self.pipeline_ = clone(self.pipeline).fit(X, y)
        margin = self.pipeline_.decision_function(X) if oof_margin is None else oof_margin
        platt = LogisticRegression(C=1e6).fit(np.asarray(margin).reshape(-1, 1), y)
        self.slope_, self.intercept_ = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        self.classes_ = np.array([False, True])
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Return the calibrated log-odds of conversion."""
        check_is_fitted(self, "slope_")
        return self.slope_ * self.pipeline_.decision_function(X) + self.intercept_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return the calibrated probabilities (columns: not converted, converted)."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return True where the calibrated probability is at least one half."""
        return self.predict_proba(X)[:, 1] >= 0.5


def model_frame(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Return the model's input: numbers as float (missing NaN), categories as text with '(missing)'."""
    out = {}
    for column in numeric:
        values = frame[column] if column in frame else pd.Series(np.nan, index=frame.index)
        out[column] = pd.to_numeric(values.astype("object").where(values.notna(), np.nan), errors="coerce").astype(
            float
        )
    for column in categorical:
        values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index)
        out[column] = values.astype("object").where(values.notna(), MISSING).astype(str).to_numpy(dtype=object)
    return pd.DataFrame(out, index=frame.index)[numeric + categorical]


def stratified_sample(y: np.ndarray, size: int, *, seed: int) -> np.ndarray:
    """Return sorted row positions of a stratified random sample of `size` rows (all rows if fewer)."""
    if len(y) <= size:
        return np.arange(len(y))
    keep, _ = train_test_split(np.arange(len(y)), train_size=size, stratify=y, random_state=seed)
    return np.sort(keep)


def parallel_jobs(tasks: int) -> int:
    """Return how many threads fit the folds side by side: one a core, no more than there are tasks."""
    return max(1, min(tasks, os.cpu_count() or 1))


def cross_validate(
    models: dict[str, Pipeline], X: pd.DataFrame, y: np.ndarray, *, folds: int, seed: int, threads: int | None = 1
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Return ROC AUC and PR AUC per model and fold (stratified K-fold, seeded) and each model's out-of-fold log-odds.
    The folds are fitted side by side in threads (the models' own threads capped at `threads` in each: their
    numeric work runs outside Python's lock), the same numbers as one after another."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    tasks = [
        (fold, train, test, name) for fold, (train, test) in enumerate(splitter.split(X, y), start=1) for name in models
    ]

    def fold_margin(train: np.ndarray, test: np.ndarray, name: str) -> np.ndarray:
        # a thread's own OpenMP limit: the caller's `threadpool_limits` holds for the thread that set it only, and
        # boosting's threads left uncapped in each fold spin-wait against each other
        with threadpool_limits(limits=threads):
            return clone(models[name]).fit(X.iloc[train], y[train]).decision_function(X.iloc[test])

    margins = Parallel(n_jobs=parallel_jobs(len(tasks)), backend="threading")(
        delayed(fold_margin)(train, test, name) for _, train, test, name in tasks
    )
    rows, oof = [], {name: np.zeros(len(y)) for name in models}
    for (fold, _, test, name), margin in zip(tasks, margins):
        oof[name][test] = margin
        rows.append(
            {
                "model": name,
                "fold": fold,
                "roc_auc": roc_auc_score(y[test], margin),
                "pr_auc": average_precision_score(y[test], margin),
            }
        )
    return pd.DataFrame(rows), oof


def summarise_cv(cv: pd.DataFrame, base_rate: float) -> pd.DataFrame:
    """Return one row per model: mean and standard deviation of ROC AUC and PR AUC across folds."""
    out = (
        cv.groupby("model", sort=False)
        .agg(
            folds=("fold", "count"),
            roc_auc_mean=("roc_auc", "mean"),
            roc_auc_sd=("roc_auc", "std"),
            pr_auc_mean=("pr_auc", "mean"),
            pr_auc_sd=("pr_auc", "std"),
        )
        .reset_index()
    )
    out.insert(1, "description", out["model"].map(MODEL_LABELS))
    out["pr_auc_of_chance"] = base_rate
    return out


# --- the fitted score ------------------------------------------------------------------------------------------


# the score's hold-out ROC AUC with and without the leakage guard's suspect fields (`_suspect_auc`), empty when none
# was flagged; the functional form because "with" is a keyword
SuspectAuc = TypedDict(
    "SuspectAuc", {"fields": list[str], "in_score": bool, "with": float, "without": float}, total=False
)


@dataclass(frozen=True)
class LeadScore:
    """A fitted, calibrated lead score with everything needed to use and explain it (pickles with joblib)."""

    model_name: str
    model: CalibratedLeadScore
    numeric: list[str]
    categorical: list[str]
    reference: dict[str, object]  # a typical lead: median number, most frequent category
    mapping: dict[str, str]  # attribute → export column it was read from
    cv: pd.DataFrame  # per model and fold
    cv_summary: pd.DataFrame  # per model: mean ± sd
    holdout: pd.DataFrame  # lead_key, converted, score, band of the hold-out leads
    holdout_metrics: dict[str, float]
    gains: pd.DataFrame
    calibration: pd.DataFrame
    importance: pd.DataFrame  # permutation importance on the hold-out
    partial_dependence: dict[str, pd.DataFrame]
    rules: pd.DataFrame
    threshold: dict[str, float]  # MQL threshold at sales capacity with precision and recall
    bands: dict[str, float]  # lowest score of A, B, C
    band_table: pd.DataFrame
    leads_per_week: float
    capacity_per_week: int
    rows_used: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # attribute → the label a person reads
    quantiles: dict[str, np.ndarray] = field(default_factory=dict)  # number → its training leads' 0–100% quantiles
    value_support: dict[str, dict[str, tuple[int, float]]] = field(
        default_factory=dict
    )  # category → value → (leads, rate)
    min_support: int = 1  # leads a value needs before it is a reason
    suspect_auc: SuspectAuc = field(default_factory=lambda: SuspectAuc())  # hold-out AUC with and without the suspects

    def label(self, attribute: str) -> str:
        """Return the attribute's label: the project file's or the export's header, else its name in words."""
        return self.labels.get(attribute) or humanize(attribute)

    @property
    def features(self) -> list[str]:
        """Return the attributes the score uses."""
        return self.numeric + self.categorical

    @property
    def holdout_auc_interval(self) -> tuple[float, float]:
        """Return the 95% CI of the hold-out ROC AUC (Hanley & McNeil)."""
        m = self.holdout_metrics
        return auc_interval(m["roc_auc"], int(m["conversions"]), int(m["leads"] - m["conversions"]))

    @property
    def ranks_leads(self) -> bool:
        """Return whether the score is worth ranking leads by: its hold-out AUC is at least USEFUL_AUC and its 95%
        CI lies above chance (0.5)."""
        return bool(self.holdout_metrics["roc_auc"] >= USEFUL_AUC and self.holdout_auc_interval[0] > 0.5)


QUANTILE_LEVELS = np.linspace(0, 1, 1001)


def _value_support(X: pd.DataFrame, y: np.ndarray, categorical: list[str]) -> dict[str, dict[str, tuple[int, float]]]:
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for column in categorical:
        grouped = pd.DataFrame({"v": X[column].to_numpy(), "y": y}).groupby("v", observed=True)["y"]
        out[column] = {
            str(v): (int(n), float(r)) for v, n, r in zip(grouped.size().index, grouped.size(), grouped.mean())
        }
    return out


def _suspect_auc(
    model_name: str,
    frame: pd.DataFrame,
    y_all: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    used_auc: float,
    *,
    numeric: list[str],
    categorical: list[str],
    suspects: dict[str, str],
    seed: int,
) -> SuspectAuc:
    """Return the hold-out AUC of the same kind of model with and without the leakage guard's suspects."""
    in_score = [s for s in suspects if s in numeric or s in categorical]
    left_out = {s: kind for s, kind in suspects.items() if s not in in_score and s in frame}
    if in_score:  # allowed by the project file: the comparison drops them
        other_numeric = [c for c in numeric if c not in in_score]
        other_categorical = [c for c in categorical if c not in in_score]
    elif left_out:  # kept out: the comparison adds them back, to show what they would have given
        other_numeric = numeric + [s for s, kind in left_out.items() if kind == "number"]
        other_categorical = categorical + [s for s, kind in left_out.items() if kind != "number"]
    else:
        return {}
    if not other_numeric + other_categorical:
        return {}
    X_other = model_frame(frame, other_numeric, other_categorical)
    other = build_models(other_numeric, other_categorical, seed=seed)[model_name]
    other.fit(X_other.iloc[train], y_all[train])
    other_auc = float(roc_auc_score(y_all[test], other.predict_proba(X_other.iloc[test])[:, 1]))
    fields = in_score or list(left_out)
    return {
        "fields": fields,
        "in_score": bool(in_score),
        "with": used_auc if in_score else other_auc,
        "without": other_auc if in_score else used_auc,
    }


def _reference(X: pd.DataFrame, numeric: list[str], categorical: list[str]) -> dict[str, object]:
    ref: dict[str, object] = {c: float(X[c].median()) for c in numeric}
    ref.update({c: str(X[c].mode().iat[0]) for c in categorical})
    return ref


def fit_score(
    frame: pd.DataFrame,
    *,
    numeric: list[str],
    categorical: list[str],
    outcome: str = "converted",
    key: str = "lead_key",
    created: str = "created_at",
    seed: int = 0,
    folds: int = 5,
    holdout_share: float = 0.25,
    max_rows: int = 100_000,
    capacity_per_week: int | None = None,
    rule_depth: int = 3,
    rule_min_share: float = 0.03,
    mapping: dict[str, str] | None = None,
    explain_rows: int = 5_000,
    importance_repeats: int = 5,
    threads: int | None = 1,
    labels: dict[str, str] | None = None,
    min_support: int = 1,
    suspects: dict[str, str] | None = None,
) -> LeadScore:
    """Return the fitted lead score: both models cross-validated on the training leads, the better one (by mean
    ROC AUC) calibrated on its out-of-fold predictions, and every accuracy figure measured on the hold-out leads.

    `threads` caps the OpenMP/BLAS threads of the models (None = all cores). One thread is the default: on a
    machine shared with other work, gradient boosting's threads spin-wait and run many times slower."""
    with threadpool_limits(limits=threads):
        return _fit_score(
            frame,
            numeric=numeric,
            categorical=categorical,
            outcome=outcome,
            key=key,
            created=created,
            seed=seed,
            folds=folds,
            holdout_share=holdout_share,
            max_rows=max_rows,
            capacity_per_week=capacity_per_week,
            rule_depth=rule_depth,
            rule_min_share=rule_min_share,
            mapping=mapping,
            explain_rows=explain_rows,
            importance_repeats=importance_repeats,
            labels=labels or {},
            min_support=min_support,
            suspects=suspects or {},
            threads=threads,
        )


def _fit_score(
    frame: pd.DataFrame,
    *,
    numeric: list[str],
    categorical: list[str],
    outcome: str,
    key: str,
    created: str,
    seed: int,
    folds: int,
    holdout_share: float,
    max_rows: int,
    capacity_per_week: int | None,
    rule_depth: int,
    rule_min_share: float,
    mapping: dict[str, str] | None,
    explain_rows: int,
    importance_repeats: int,
    labels: dict[str, str],
    min_support: int,
    suspects: dict[str, str],
    threads: int | None,
) -> LeadScore:
    # Sales capacity → share of leads that can be passed, from the whole table's arrival rate.
    created_at = pd.to_datetime(frame[created]) if created in frame else pd.Series(dtype="datetime64[ns]")
    weeks = (
        max((created_at.max() - created_at.min()).total_seconds() / (7 * 86400), 1.0)
        if created_at.notna().any()
        else np.nan
    )
    per_week = float(len(frame) / weeks) if np.isfinite(weeks) else np.nan
    # Without a capacity (or without creation dates to measure arrivals) there is no MQL threshold: none is invented.
    share = min(1.0, capacity_per_week / per_week) if capacity_per_week and np.isfinite(per_week) else np.nan
    leads_in_table = len(frame)
    # A large table is modelled on a stratified sample: at most `max_rows` training leads plus their hold-out share.
    modelled = stratified_sample(frame[outcome].astype(bool).to_numpy(), int(max_rows / (1 - holdout_share)), seed=seed)
    frame = frame.iloc[modelled] if len(modelled) < len(frame) else frame
    y_all = frame[outcome].astype(bool).to_numpy()
    X_all = model_frame(frame, numeric, categorical)
    train_idx, test_idx = train_test_split(
        np.arange(len(frame)), test_size=holdout_share, stratify=y_all, random_state=seed
    )
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    sample = train_idx
    X, y = X_all.iloc[sample], y_all[sample]
    models = build_models(numeric, categorical, seed=seed)
    cv, oof = cross_validate(models, X, y, folds=folds, seed=seed, threads=threads)
    summary = summarise_cv(cv, float(y.mean()))
    best = summary.sort_values("roc_auc_mean", ascending=False, kind="stable")["model"].iat[0]
    model = CalibratedLeadScore(models[best]).fit(X, y, oof_margin=oof[best])
    X_test, y_test = X_all.iloc[test_idx], y_all[test_idx]
    score = model.predict_proba(X_test)[:, 1]
    metrics = {
        "roc_auc": float(roc_auc_score(y_test, score)),
        "pr_auc": float(average_precision_score(y_test, score)),
        "base_rate": float(y_test.mean()),
        "leads": len(y_test),
        "conversions": int(y_test.sum()),
    }
    if np.isfinite(share):
        threshold = {**threshold_at_capacity(y_test, score, share), "capacity_share": share}
    else:
        threshold = dict.fromkeys(
            (
                "threshold",
                "share_passed",
                "precision",
                "precision_ci_low",
                "precision_ci_high",
                "recall",
                "capacity_share",
            ),
            np.nan,
        )
    cutoffs = band_cutoffs(score, threshold["threshold"], share)
    bands = assign_band(score, cutoffs)
    band_rows = []
    for band in BANDS:
        inside = bands == band
        n, conv = int(inside.sum()), int(y_test[inside].sum())
        low, high = wilson_interval(conv, n) if n else (np.nan, np.nan)
        band_rows.append(
            {
                "band": band,
                "lowest_score": cutoffs.get(band, 0.0),
                "leads": n,
                "lead_share": n / len(y_test),
                "conversion_rate": conv / n if n else np.nan,
                "ci_low": low,
                "ci_high": high,
                "conversion_share": conv / max(y_test.sum(), 1),
            }
        )
    # Explanations on (a sample of) the hold-out.
    explain = stratified_sample(y_test, explain_rows, seed=seed)
    X_explain, y_explain = X_test.iloc[explain], y_test[explain]
    importance_mean, importance_sd = permutation_importance_auc(
        model, X_explain, y_explain, repeats=importance_repeats, seed=seed
    )
    importance = pd.DataFrame(
        {"attribute": X_test.columns, "importance": importance_mean, "importance_sd": importance_sd}
    )
    importance = importance.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    top_numeric = [a for a in importance["attribute"] if a in numeric][:3]
    pdp = {}
    for column in top_numeric:
        grid_values = X_explain[column].dropna()
        grid = np.unique(np.quantile(grid_values, np.linspace(0.02, 0.98, 20))) if len(grid_values) else np.array([])
        if len(grid) < 2:
            continue
        pdp[column] = partial_dependence_curve(model, X_explain.iloc[: min(len(X_explain), 5000)], column, grid)
    rules = find_rules(
        X_all.iloc[sample],
        y,
        X_test,
        y_test,
        numeric=numeric,
        categorical=categorical,
        depth=rule_depth,
        min_share=rule_min_share,
        seed=seed,
        labels={c: labels.get(c) or humanize(c) for c in numeric + categorical},
    )
    holdout = pd.DataFrame(
        {
            key: frame[key].to_numpy()[test_idx] if key in frame else test_idx,
            outcome: y_test,
            "score": score,
            "band": bands,
        }
    )
    return LeadScore(
        model_name=best,
        model=model,
        numeric=list(numeric),
        categorical=list(categorical),
        reference=_reference(X, numeric, categorical),
        mapping=dict(mapping or {}),
        cv=cv,
        cv_summary=summary,
        holdout=holdout,
        holdout_metrics=metrics,
        gains=gains_table(y_test, score),
        calibration=calibration_table(y_test, score),
        importance=importance,
        partial_dependence=pdp,
        rules=rules,
        threshold=threshold,
        bands=cutoffs,
        band_table=pd.DataFrame(band_rows),
        leads_per_week=per_week,
        capacity_per_week=int(capacity_per_week or 0),
        rows_used={
            "leads": int(leads_in_table),
            "training": len(train_idx),
            "model_sample": len(sample),
            "holdout": len(test_idx),
        },
        labels=dict(labels),
        min_support=int(min_support),
        value_support=_value_support(X, y, categorical),
        quantiles={
            c: np.nanquantile(X[c].to_numpy(dtype=float), QUANTILE_LEVELS) for c in numeric if X[c].notna().any()
        },
        suspect_auc=_suspect_auc(
            best,
            frame,
            y_all,
            train_idx,
            test_idx,
            metrics["roc_auc"],
            numeric=numeric,
            categorical=categorical,
            suspects=suspects,
            seed=seed,
        ),
    )
