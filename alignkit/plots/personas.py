"""Persona figures (notebook 03): choosing the number of personas, their sizes, the persona map, a persona's top
traits and how shares moved between survey waves, each persona in its own colour."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes, ci_errors, persona_colours


def plot_k_choice(scores: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines of stability (median adjusted Rand index of bootstrap refits) and separation (silhouette for k-means,
    entropy for latent classes) by number of personas, the chosen k marked."""
    ax = _axes(ax)
    ax.plot(scores["k"], scores["stability"], marker="o", color=PALETTE[0], label="Stability (adjusted Rand index)")
    if "silhouette" in scores:
        ax.plot(scores["k"], scores["silhouette"], marker="s", color=PALETTE[1], label="Silhouette")
    elif "entropy" in scores:
        ax.plot(
            scores["k"], scores["entropy"], marker="s", color=PALETTE[1], label="Entropy (how clearly each belongs)"
        )
    chosen = scores[scores["chosen"]]
    ax.scatter(
        chosen["k"],
        chosen["stability"],
        s=160,
        facecolors="none",
        edgecolors=PALETTE[5],
        linewidths=2,
        label=f"Chosen: k = {int(chosen['k'].iat[0])}",
        zorder=3,
    )
    ax.set_xticks(list(scores["k"]))
    ax.set_xlabel("Number of personas (k)")
    ax.set_ylabel("Score (0–1, higher is better)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Stability and separation by number of personas")
    ax.legend(frameon=False, loc="center right")
    return ax


def plot_persona_sizes(sizes: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: share of respondents per persona with its 95% CI, in persona colours (weighted shares, and
    titled so, when the table has an `n_effective` column: survey weights on)."""
    ax = _axes(ax, (7.5, 0.5 * max(3, len(sizes)) + 1))
    colours = persona_colours(dict(zip(sizes["persona_id"], sizes["persona"])))
    table = sizes.iloc[::-1]
    share = table["share"].astype(float) * 100
    ax.barh(
        table["persona"],
        share,
        color=[colours[p] for p in table["persona"]],
        xerr=ci_errors(share, table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100),
        capsize=3,
        ecolor="#444444",
    )
    weighted = "n_effective" in sizes
    ax.set_xlabel("Weighted share of respondents (%)" if weighted else "Share of respondents (%)")
    ax.set_ylabel("Persona")
    ax.set_title(
        "Persona sizes, weighted (95% Wilson intervals on Kish's effective n)"
        if weighted
        else "Persona sizes (95% Wilson intervals)"
    )
    return ax


MAP_CAPTION = (
    "Each dot is a respondent; respondents who answered alike sit together, and each number marks the "
    "densest part of its persona. The map can show which personas are distinct and which blend into each "
    "other; it cannot show distances in any unit, sizes of differences, or why people differ: read the "
    "persona cards for that."
)


def densest_point(xy: np.ndarray, *, n_neighbors: int = 20, max_rows: int = 3000, seed: int = 0) -> np.ndarray:
    """Return the map position in the densest part of a set of points: the point whose `n_neighbors`-th nearest
    neighbour (within the set) is closest — unlike a centroid, it always lies where respondents are."""
    xy = np.asarray(xy, dtype=float)
    if len(xy) > max_rows:
        xy = xy[np.random.default_rng(seed).choice(len(xy), max_rows, replace=False)]
    k = min(n_neighbors, len(xy) - 1)
    if k < 1:
        return xy[0]
    from sklearn.neighbors import NearestNeighbors  # here: notebooks 01 and 02 draw no map and need no scikit-learn

    distance, _ = NearestNeighbors(n_neighbors=k + 1).fit(xy).kneighbors(xy)
    return xy[int(np.argmin(distance[:, -1]))]


def plot_persona_map(
    embedding: pd.DataFrame,
    names: dict,
    *,
    ax: plt.Axes | None = None,
    min_group_size: int = 1,
    max_points: int = 6000,
    seed: int = 0,
) -> plt.Axes:
    """Scatter of the 2-D persona map (columns x, y, persona_id), one colour per persona, each labelled on its
    densest region (`densest_point`), with MAP_CAPTION under the x axis. At most `max_points` points are drawn
    (a seeded sample) so the figure stays small; personas with fewer than `min_group_size` respondents are not drawn."""
    ax = _axes(ax, (7.5, 6.0))
    colours = persona_colours(names)
    counts = embedding["persona_id"].value_counts()
    shown = embedding[embedding["persona_id"].map(counts).fillna(0) >= min_group_size]
    drawn = shown.sample(max_points, random_state=seed) if len(shown) > max_points else shown
    for pid in sorted(names):
        part = drawn[drawn["persona_id"] == pid]
        if len(part) == 0:
            continue
        ax.scatter(part["x"], part["y"], s=6, alpha=0.5, color=colours[names[pid]], label=names[pid], linewidths=0)
        centre = densest_point(shown.loc[shown["persona_id"] == pid, ["x", "y"]].to_numpy(), seed=seed)
        ax.annotate(
            str(pid),
            (centre[0], centre[1]),
            ha="center",
            va="center",
            fontsize=12,
            fontweight="bold",
            bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": colours[names[pid]]},
        )
    ax.set_ylabel("Map dimension 2 (no unit)")
    ax.set_title("Persona map: respondents who answered alike sit together")
    ax.set_xlabel("Map dimension 1 (no unit)\n\n" + textwrap.fill(MAP_CAPTION, 95), fontsize=8)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, markerscale=3, fontsize=8)
    return ax


def plot_persona_traits(
    top: pd.DataFrame, *, title: str, colour: str = PALETTE[0], ax: plt.Axes | None = None
) -> plt.Axes:
    """Horizontal bars of the standardised difference (persona vs everyone else) of a persona's top traits."""
    ax = _axes(ax, (7.5, 0.45 * max(3, len(top)) + 1))
    table = top.iloc[::-1]
    labels = [t if len(t) <= 60 else t[:59] + "…" for t in table["description"].str.split(" \\(").str[0]]
    ax.barh(labels, table["std_diff"], color=colour)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Standardised difference vs everyone else (SD units)")
    ax.set_ylabel("Answer")
    ax.set_title(title)
    return ax


def plot_share_drift(drift: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Dot-and-whisker chart of each persona's change in share between waves (percentage points, 95% CI)."""
    ax = _axes(ax, (7.5, 0.5 * max(3, len(drift)) + 1))
    table = drift.dropna(subset=["change"]).sort_values("persona_id", ascending=False)
    colours = persona_colours(dict(zip(drift["persona_id"], drift["persona"])))
    change = table["change"].astype(float) * 100
    for y, (_, row) in enumerate(table.iterrows()):
        ax.errorbar(
            change.loc[row.name],
            y,
            xerr=[
                [change.loc[row.name] - row["change_ci_low"] * 100],
                [row["change_ci_high"] * 100 - change.loc[row.name]],
            ],
            fmt="o",
            color=colours[row["persona"]],
            capsize=3,
        )
    ax.set_yticks(range(len(table)), table["persona"])
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Change in share, new wave minus fitted wave (percentage points)")
    ax.set_ylabel("Persona")
    ax.set_title("How persona shares moved (95% Newcombe intervals)")
    return ax
