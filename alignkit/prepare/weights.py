"""Survey weights: raking (iterative proportional fitting) of responses to known population margins, with
trimming to a cap, normalisation to a mean weight of one, and a report of how well it converged.

Raking adjusts one weight per response so that the weighted share of every category of every margin (e.g. company
size, region) equals its population share. Each pass scales the weights of each margin in turn so that the
margin fits; passes repeat until no weighted share is further than `tolerance` from its target (Deming and
Stephan 1940; Kolenikov 2014, "Calibrating survey data using iterative proportional fitting (raking)",
The Stata Journal 14(1)). With a `trim_ratio`, weights above `trim_ratio` × the mean weight are cut to that cap
after every pass and the next pass re-rakes the others, so the final weights both respect the cap and fit the
margins (when that is possible; otherwise `converged` is False and the error is reported).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from alignkit.config import ProjectSettings, WeightingSettings
from alignkit.errors import ConfigError, InputFileError, MissingColumnError, close_matches
from alignkit.ingest.files import content_hash, to_snake_case
from alignkit.prepare.clean import CleaningLog
from alignkit.report import render_fragment

WEIGHT_COLUMN = "weight"
MARGIN_TOTAL_RTOL = 1e-3  # margins must sum to the same total within 0.1% (rounded census shares pass)
MARGIN_FILE_COLUMNS = ("margin", "category", "target")

Margins = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class RakingResult:
    """Raked weights and how they were reached.

    `weights` has one value per row of the frame raked (same index), mean 1. `margins` has one row per category
    of each margin: respondents, sample share, target share and weighted share. `trimmed` counts the responses
    whose weight was held at the cap (`trim_ratio` × mean weight) in the final weights.
    """

    weights: pd.Series
    margins: pd.DataFrame
    iterations: int
    max_margin_error: float
    converged: bool
    trimmed: int
    trim_ratio: float | None
    tolerance: float
    method: str = "raked to population margins"

    @property
    def n_effective(self) -> float:
        """Return Kish's effective sample size of the weights."""
        w = self.weights.to_numpy(dtype=float)
        return float(w.sum() ** 2 / np.square(w).sum())

    @property
    def design_effect(self) -> float:
        """Return Kish's design effect from unequal weighting, n / n_effective."""
        return float(len(self.weights) / self.n_effective)

    def summary(self) -> pd.DataFrame:
        """Return a one-row table: responses, min/max/mean weight, effective n, design effect, trimming, convergence."""
        w = self.weights.to_numpy(dtype=float)
        return pd.DataFrame(
            [
                {
                    "method": self.method,
                    "responses": len(w),
                    "min_weight": float(w.min()),
                    "max_weight": float(w.max()),
                    "mean_weight": float(w.mean()),
                    "n_effective": self.n_effective,
                    "design_effect": self.design_effect,
                    "trim_ratio": self.trim_ratio,
                    "trimmed": self.trimmed,
                    "iterations": self.iterations,
                    "max_margin_error": self.max_margin_error,
                    "converged": self.converged,
                }
            ]
        )

    def _repr_html_(self) -> str:
        return render_fragment("summary.html.j2", tables=[("Raking", self.summary()), ("Margins", self.margins)])


def _category_codes(values: pd.Series, margin: str, categories: list[str], *, where: str) -> np.ndarray:
    """Return each row's index into `categories`; raise ConfigError for categories on one side only."""
    missing = int(values.isna().sum())
    if missing:
        raise ConfigError(
            f"{where}: {missing} response(s) have no answer in column {margin!r}, so raking cannot place "
            f"them in a category of margin {margin!r}. Fix: rake only complete responses (fill or drop "
            "the missing answers), or drop this margin."
        )
    if isinstance(values.dtype, pd.CategoricalDtype):  # work on the codes: fast on large surveys
        names = values.cat.categories.astype("str")
        counts = np.bincount(values.cat.codes.to_numpy(), minlength=len(names))
        observed = pd.Series(counts, index=names)
        observed = observed[observed > 0]
        known = set(names)
    else:
        labels = values.astype("str")
        observed = labels.value_counts(sort=False)
        known = set(observed.index)
    present = set(observed.index)
    for category in categories:
        if category not in known:
            hint = close_matches(category, sorted(known))
            raise ConfigError(
                f"{where}: margin {margin!r} names category {category!r}, which column {margin!r} of the "
                f"survey does not have. Categories in the data: {sorted(known)}."
                + (f" Did you mean {hint[0]!r}?" if hint else "")
                + " Fix: spell the category as it appears in the data."
            )
    extra = sorted(present - set(categories))
    if extra:
        listed = ", ".join(f"{c!r} ({int(observed[c])} responses)" for c in extra)
        raise ConfigError(
            f"{where}: column {margin!r} has categories the margin lacks: {listed}. Fix: add their "
            f"population share under {margin!r}, or merge them into listed categories before raking."
        )
    index = {c: i for i, c in enumerate(categories)}
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.array([index.get(name, -1) for name in names], dtype=np.int64)
        return lookup[values.cat.codes.to_numpy()]
    return labels.map(index).to_numpy(dtype=np.int64)


def _target_shares(margins: Margins, *, where: str) -> dict[str, tuple[list[str], np.ndarray]]:
    """Return each margin's categories and target shares; raise ConfigError if the totals differ."""
    if not margins:
        raise ConfigError(
            f"{where}: no margins given. Fix: give at least one survey column with its population shares."
        )
    out, totals = {}, {}
    for margin, targets in margins.items():
        if not targets:
            raise ConfigError(
                f"{where}: margin {margin!r} lists no categories. Fix: give each category's population share."
            )
        categories = [str(c) for c in targets]
        values = np.array([float(v) for v in targets.values()])
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            bad = [c for c, v in zip(categories, values) if not np.isfinite(v) or v < 0]
            raise ConfigError(
                f"{where}: margin {margin!r} has negative or missing targets for {bad}. "
                "Fix: give a share or count of zero or more for every category."
            )
        total = float(values.sum())
        if total <= 0:
            raise ConfigError(f"{where}: margin {margin!r} sums to {total}. Fix: give positive shares or counts.")
        totals[margin] = total
        out[margin] = (categories, values / total)
    reference = next(iter(totals.values()))
    if any(not np.isclose(t, reference, rtol=MARGIN_TOTAL_RTOL, atol=0) for t in totals.values()):
        listed = ", ".join(f"{m!r} sums to {t:g}" for m, t in totals.items())
        raise ConfigError(
            f"{where}: the margins do not sum to the same total ({listed}). Fix: give every margin as "
            "shares of one (or as counts of the same population)."
        )
    return out


def rake(
    frame: pd.DataFrame,
    margins: Margins,
    *,
    base_weights: pd.Series | np.ndarray | None = None,
    trim_ratio: float | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-6,
    where: str = "survey.weighting.margins",
) -> RakingResult:
    """Return weights (mean 1) that rake `frame` to `margins`, with convergence and trimming figures.

    `margins` maps a column of `frame` to {category: population share or count}; every margin must sum to the
    same total (shares of one, or counts of one population). `base_weights` (e.g. design weights from the export)
    are the starting point; without them every response starts at one. `tolerance` is the largest allowed gap
    between a weighted share and its target share; `trim_ratio` caps weights at that multiple of the mean weight.
    `where` names the source of the margins in error messages. The input is not modified.

    >>> frame = pd.DataFrame({"size": ["small"] * 3 + ["large"]})
    >>> rake(frame, {"size": {"small": 0.5, "large": 0.5}}).weights.round(4).tolist()
    [0.6667, 0.6667, 0.6667, 2.0]
    """
    if trim_ratio is not None and not trim_ratio > 1:
        raise ConfigError(
            f"{where}: trim_ratio={trim_ratio!r} must be above 1 (a cap at or below the mean weight "
            "cannot hold). Fix: use e.g. 5, or leave it out for no trimming."
        )
    if max_iterations < 1:
        raise ConfigError(f"{where}: max_iterations={max_iterations!r} must be at least 1.")
    n = len(frame)
    if n == 0:
        raise ConfigError(f"{where}: there are no responses to rake.")
    targets = _target_shares(margins, where=where)
    codes, shares = [], []
    for margin, (categories, share) in targets.items():
        if margin not in frame:
            hint = close_matches(margin, [str(c) for c in frame.columns])
            raise ConfigError(
                f"{where}: margin {margin!r} is not a column of the survey."
                + (f" Did you mean {hint[0]!r}?" if hint else "")
                + " Fix: name the margin by the survey column (snake_case, e.g. q2)."
            )
        code = _category_codes(frame[margin], margin, categories, where=where)
        counts = np.bincount(code, minlength=len(categories))
        empty = [c for c, k, s in zip(categories, counts, share) if k == 0 and s > 0]
        if empty:
            raise ConfigError(
                f"{where}: margin {margin!r}, category {empty[0]!r} has a population share but no "
                "respondents, so no weight can represent it. Fix: merge it with a neighbouring category "
                "(in the margin and the data), or drop it from the margin if it is not surveyed."
            )
        codes.append(code)
        shares.append(share)
    if base_weights is None:
        w = np.ones(n)
    else:
        w = np.asarray(base_weights, dtype=float).copy()
        if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ConfigError(
                f"{where}: base weights must be one positive number per response. "
                "Fix: fill missing or zero weights in the export's weight column."
            )
        w = w / w.mean()
    clipped = np.zeros(n, dtype=bool)
    iterations, error = 0, np.inf
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (read after the loop: the iterations it took)
        for code, share in zip(codes, shares):
            sums = np.bincount(code, weights=w, minlength=len(share))
            factor = np.divide(share * w.sum(), sums, out=np.zeros_like(sums), where=sums > 0)
            w = w * factor[code]
        if trim_ratio is not None:
            cap = trim_ratio * w.mean()
            clipped = w > cap
            w = np.where(clipped, cap, w)
        error = _max_error(w, codes, shares)
        if error <= tolerance:
            break
    w = w / w.mean()
    trimmed = int(clipped.sum())  # held at the cap by the last pass
    table = _margin_table(frame, targets, codes, w)
    return RakingResult(
        weights=pd.Series(w, index=frame.index, name=WEIGHT_COLUMN),
        margins=table,
        iterations=iterations,
        max_margin_error=float(error),
        converged=bool(error <= tolerance),
        trimmed=trimmed,
        trim_ratio=trim_ratio,
        tolerance=tolerance,
    )


def _max_error(w: np.ndarray, codes: list[np.ndarray], shares: list[np.ndarray]) -> float:
    total = w.sum()
    return float(
        max(np.abs(np.bincount(c, weights=w, minlength=len(s)) / total - s).max() for c, s in zip(codes, shares))
    )


def _margin_table(frame: pd.DataFrame, targets: dict, codes: list[np.ndarray], w: np.ndarray) -> pd.DataFrame:
    rows = []
    for (margin, (categories, share)), code in zip(targets.items(), codes):
        counts = np.bincount(code, minlength=len(categories))
        weighted = np.bincount(code, weights=w, minlength=len(categories)) / w.sum()
        for i, category in enumerate(categories):
            rows.append(
                {
                    "margin": margin,
                    "category": category,
                    "respondents": int(counts[i]),
                    "sample_share": counts[i] / len(code),
                    "target_share": float(share[i]),
                    "weighted_share": float(weighted[i]),
                }
            )
    return pd.DataFrame(rows).astype({"margin": "str", "category": "str"})


def read_margins_file(path: Path | str) -> dict[str, dict[str, float]]:
    """Return the margins in a YAML/JSON file ({column: {category: share}}) or a CSV (columns margin, category,
    target)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(
            path,
            "margins file not found.",
            fix="put it in the raw data folder, or correct survey.weighting.margins_file in alignkit.yml.",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = pd.read_csv(path, dtype={"margin": "str", "category": "str"}, encoding="utf-8-sig")
        missing = [c for c in MARGIN_FILE_COLUMNS if c not in table]
        if missing:
            raise InputFileError(
                path,
                f"has no column {missing[0]!r}; a margins CSV has the columns {', '.join(MARGIN_FILE_COLUMNS)}.",
                column=missing[0],
                fix="one row per category: margin (survey column), category (answer), target (share or count).",
            )
        target = pd.to_numeric(table["target"], errors="coerce")
        if target.isna().any():
            raise InputFileError(
                path,
                f"{int(target.isna().sum())} target(s) are not numbers.",
                column="target",
                fix="give each category's population share or count as a number.",
            )
        out: dict[str, dict[str, float]] = {}
        for margin, category, value in zip(table["margin"], table["category"], target):
            out.setdefault(str(margin), {})[str(category)] = float(value)
        return out
    if suffix in (".yml", ".yaml", ".json"):
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise InputFileError(
                path, f"cannot be read: {exc}", fix="write it as {column: {category: share}}."
            ) from None
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise InputFileError(
                path,
                "is not a mapping of survey columns to {category: share}.",
                fix="write it as {column: {category: share}}, e.g. q2: {'1-9 employees': 0.15, ...}.",
            )
        try:
            return {str(m): {str(c): float(v) for c, v in cats.items()} for m, cats in data.items()}
        except (TypeError, ValueError):
            raise InputFileError(
                path, "has a target that is not a number.", fix="give each share as a number."
            ) from None
    raise InputFileError(
        path,
        f"margins files must be .yml, .yaml, .json or .csv, not {suffix or 'no suffix'!r}.",
        fix="save the margins in one of those formats.",
    )


def response_weights(responses: pd.DataFrame) -> pd.Series | None:
    """Return the analysis weights of these responses (their `weight` column as float, same index), or None when
    responses.parquet is unweighted — ready for every `weights=` argument of alignkit.stats.

    Responses with a quality flag have no weight under survey.weighting.respondents: quality_ok (the default), so
    select `responses[responses["quality_ok"]]` first; a missing weight among the rows given is an error, never a
    silently dropped response.
    """
    if WEIGHT_COLUMN not in responses:
        return None
    weights = responses[WEIGHT_COLUMN]
    missing = int(weights.isna().sum())
    if missing:
        raise ConfigError(
            f"{missing} of these {len(weights)} responses have no weight (responses with a quality flag "
            "are not weighted). Fix: select the responses without a quality flag (quality_ok) first, or "
            "set survey.weighting.respondents: all in the project file to weight every response."
        )
    return weights.astype("float64")


def _base_weights(
    responses: pd.DataFrame, named: str, settings: ProjectSettings, rows: pd.Series
) -> tuple[str, np.ndarray]:
    """Return the column holding the export's weights (`named` by survey.weighting.column) and its values on `rows`;
    raise if missing or not positive."""
    survey_file = settings.raw_path(settings.survey.file) if settings.survey else Path("survey")
    column = named if named in responses else to_snake_case(named)
    if column not in responses and named in (settings.survey.columns if settings.survey else {}).values():
        column = WEIGHT_COLUMN
    if column not in responses:
        raise MissingColumnError(survey_file, named, responses.columns, mapped_from="survey.weighting.column")
    values = pd.to_numeric(responses.loc[rows, column], errors="coerce").astype("Float64")
    bad = values.isna() | (values <= 0)
    if bad.any():
        raise InputFileError(
            survey_file,
            f"{int(bad.sum())} response(s) have a missing, zero or negative weight (named by survey.weighting.column).",
            column=named,
            fix="give every response a positive weight, or set survey.weighting.respondents: quality_ok "
            "if only flagged responses lack one.",
        )
    return column, values.to_numpy(dtype=float)


def margins_from_settings(
    spec: WeightingSettings, settings: ProjectSettings
) -> tuple[dict[str, dict[str, float]], str]:
    """Return the population margins named by survey.weighting and where they came from (for messages)."""
    if spec.margins_file:
        path = settings.raw_path(spec.margins_file)
        return read_margins_file(path), str(path)
    return {
        m: dict(t) for m, t in spec.margins.items()
    }, f"{settings.source_file or 'alignkit.yml'}: survey.weighting.margins"


def weight_responses(
    responses: pd.DataFrame, codebook: pd.DataFrame, settings: ProjectSettings, *, log: CleaningLog
) -> tuple[pd.DataFrame, pd.DataFrame, RakingResult]:
    """Return responses with a `weight` column (mean 1 over the weighted responses, missing for the rest), the
    codebook with its entry, and how the weights were made. Follows survey.weighting; logs what it did.

    Weighted responses are those without a quality flag (respondents: quality_ok, the default) or all of them
    (respondents: all). With margins the weights are raked to them (from the weight column when one is named,
    else from one); with only a column, that column's weights are normalised. Raking that does not converge is
    an error: a weight that misses its margins would be a silently wrong number.
    """
    spec = settings.survey.weighting if settings.survey else None
    if spec is None:
        raise ConfigError("survey.weighting is not set in the project file; responses are unweighted.")
    rows = (
        responses["quality_ok"].astype(bool)
        if spec.respondents == "quality_ok"
        else pd.Series(True, index=responses.index)
    )
    base = None
    if spec.column:
        _, base = _base_weights(responses, spec.column, settings, rows)
    if spec.rakes:
        margins, where = margins_from_settings(spec, settings)
        resolved = {(m if m in responses else to_snake_case(m)): t for m, t in margins.items()}
        result = rake(
            responses.loc[rows],
            resolved,
            base_weights=base,
            trim_ratio=spec.trim_ratio,
            max_iterations=spec.max_iterations,
            tolerance=spec.tolerance,
            where=where,
        )
        if spec.column:
            result = _replace(result, method=f"raked to population margins from the weights in {spec.column!r}")
        if not result.converged:
            raise ConfigError(
                f"{where}: raking did not converge in {result.iterations} iterations: the largest gap "
                f"between a weighted share and its target is {result.max_margin_error:.2g} (tolerance "
                f"{spec.tolerance:g}); {result.trimmed} weight(s) are held at the cap of {spec.trim_ratio} × "
                "the mean. Fix: raise survey.weighting.max_iterations, raise or remove trim_ratio, or merge "
                "categories with few respondents."
            )
        how = (
            f"raked to the population margins of {', '.join(resolved)} ({result.iterations} iterations, largest "
            f"share gap {result.max_margin_error:.1e}; {result.trimmed} weight(s) trimmed to "
            f"{spec.trim_ratio} × the mean)"
            if spec.trim_ratio
            else f"raked to the population margins of {', '.join(resolved)} ({result.iterations} iterations, largest "
            f"share gap {result.max_margin_error:.1e}; no trimming)"
        )
    else:
        assert base is not None  # WeightingSettings: without margins, a weight column is named
        w = base / base.mean()
        result = RakingResult(
            weights=pd.Series(w, index=responses.index[rows.to_numpy()], name=WEIGHT_COLUMN),
            margins=pd.DataFrame(
                columns=["margin", "category", "respondents", "sample_share", "target_share", "weighted_share"]
            ),
            iterations=0,
            max_margin_error=np.nan,
            converged=True,
            trimmed=0,
            trim_ratio=None,
            tolerance=spec.tolerance,
            method=f"from the export's weight column {spec.column!r}",
        )
        how = f"taken from the export's weight column {spec.column!r} and scaled to a mean of one"
    weights = pd.Series(pd.NA, index=responses.index, dtype="Float64")
    weights.loc[result.weights.index] = result.weights.to_numpy()
    out = responses.drop(columns=[WEIGHT_COLUMN], errors="ignore")
    position = list(out.columns).index("quality_ok") + 1 if "quality_ok" in out else len(out.columns)
    out.insert(position, WEIGHT_COLUMN, weights)
    log.record(
        "weight_responses",
        table="responses",
        column=WEIGHT_COLUMN,
        rows=int(rows.sum()),
        reason=f"weights {how}; mean weight 1, effective n {result.n_effective:,.0f} "
        f"(design effect {result.design_effect:.2f})",
    )
    if spec.respondents == "quality_ok":
        log.record(
            "weight_responses",
            table="responses",
            column=WEIGHT_COLUMN,
            rows=int((~rows).sum()),
            reason="response with a quality flag: not weighted (weight left empty), as it is left out of analysis",
        )
    question = f"Survey weight ({result.method}; mean 1)"
    if WEIGHT_COLUMN in set(codebook["column"]):
        codebook = codebook.assign(question=codebook["question"].where(codebook["column"] != WEIGHT_COLUMN, question))
    else:
        entry = pd.DataFrame([dict.fromkeys(codebook.columns)])
        entry = entry.assign(column=WEIGHT_COLUMN, question=question, kind="meta", options=[[]])
        if "n_invalid" in codebook:
            entry["n_invalid"] = 0
        entry = entry.astype({c: codebook[c].dtype for c in codebook.columns if c != "options"})
        codebook = pd.concat([codebook, entry], ignore_index=True)
    described = set(codebook["column"])
    codebook = codebook.set_index("column").loc[[c for c in out.columns if c in described]].reset_index()
    return out, codebook, result


def margins_manifest_row(settings: ProjectSettings) -> dict | None:
    """Return the input-manifest row of the margins file named by survey.weighting, or None."""
    spec = settings.survey.weighting if settings.survey else None
    if spec is None or not spec.margins_file:
        return None
    path = settings.raw_path(spec.margins_file)
    margins = read_margins_file(path)
    return {
        "table": "population_margins",
        "file": path.name,
        "format": path.suffix.lstrip(".").lower(),
        "rows": sum(len(t) for t in margins.values()),
        "columns_kept": len(margins),
        "sha256": content_hash(path),
    }


def _replace(result: RakingResult, **changes) -> RakingResult:
    from dataclasses import replace

    return replace(result, **changes)
