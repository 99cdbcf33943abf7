"""Survey-weight figure (notebook 01): respondents against the population margins, before and after raking."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from alignkit.plots.theme import PALETTE, _axes


def plot_weight_margins(margins: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Grouped horizontal bars per margin category: share among respondents, target (population) share and
    weighted share (columns margin, category, sample_share, target_share, weighted_share)."""
    table = margins.iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, (7.5, 0.45 * max(4, len(table)) + 1.2))
    labels = table["margin"].astype(str) + ": " + table["category"].astype(str)
    y = pd.Series(range(len(table)), dtype=float)
    series = (
        ("sample_share", "Respondents (unweighted)"),
        ("target_share", "Population (target)"),
        ("weighted_share", "Respondents (weighted)"),
    )
    for i, (column, name) in enumerate(series):
        ax.barh(y - (i - 1) * 0.27, table[column].astype(float) * 100, height=0.26, color=PALETTE[i], label=name)
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("Share of responses (%)")
    ax.set_ylabel("Margin: category")
    ax.set_title("Raking: respondents against the population, before and after weighting")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax
