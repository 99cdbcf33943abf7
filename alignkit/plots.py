"""Every figure, one theme: data in, Axes out. Plot functions never show or save; the caller decides."""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
THEME = {
    "figure.figsize": (7.5, 4.0), "figure.dpi": 100, "savefig.dpi": 110, "font.size": 10,
    "axes.titlesize": 12, "axes.titleweight": "bold", "axes.titlelocation": "left", "axes.labelsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE), "svg.hashsalt": "alignkit",
}


def apply_theme() -> None:
    """Set alignkit's figure theme for matplotlib (and seaborn, which reads the same settings)."""
    plt.rcParams.update(THEME)


def _axes(ax: plt.Axes | None, size: tuple[float, float] | None = None) -> plt.Axes:
    apply_theme()
    return ax if ax is not None else plt.figure(figsize=size or THEME["figure.figsize"]).subplots()


def figure_to_data_uri(figure: plt.Figure) -> str:
    """Return the figure as a base64 PNG data URI (deterministic bytes: no timestamps in the metadata)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_rows_by_step(log: pd.DataFrame, *, ax: plt.Axes | None = None,
                      exclude: tuple[str, ...] = ("pseudonymise", "link_to_leads", "check_stage_order")) -> plt.Axes:
    """Horizontal bars: rows removed or changed by each cleaning step, one colour per table (steps that only
    record information, such as pseudonymising every row, are left out by default)."""
    log = log[~log["step"].isin(exclude)]
    ax = _axes(ax, (7.5, 0.35 * max(4, log["step"].nunique()) + 1))
    table = (log[log["rows_affected"] > 0].groupby(["step", "table"], sort=False)["rows_affected"].sum()
             .unstack(fill_value=0))
    table = table.loc[table.sum(axis=1).sort_values().index]
    left = pd.Series(0.0, index=table.index)
    for i, column in enumerate(table.columns):
        ax.barh(table.index, table[column], left=left, color=PALETTE[i % len(PALETTE)], label=column)
        left += table[column]
    ax.set_xlabel("Rows affected (count)")
    ax.set_ylabel("Cleaning step")
    ax.set_title("Rows removed or values changed, by cleaning step")
    ax.legend(title="Table", frameon=False, loc="lower right")
    return ax


def plot_missingness(missing: pd.DataFrame, *, ax: plt.Axes | None = None, top: int = 20) -> plt.Axes:
    """Horizontal bars: share of missing values for the `top` most incomplete columns (label 'table.column')."""
    worst = missing.sort_values("missing_share", ascending=False).head(top).iloc[::-1]
    ax = _axes(ax, (7.5, 0.3 * max(4, len(worst)) + 1))
    labels = worst["table"] + "." + worst["column"]
    ax.barh(labels, worst["missing_share"] * 100, color=PALETTE[0])
    ax.set_xlabel("Missing values (% of rows)")
    ax.set_ylabel("Column")
    ax.set_xlim(0, 100)
    ax.set_title(f"The {len(worst)} most incomplete columns")
    return ax


def plot_shares_with_ci(table: pd.DataFrame, label: str, *, ax: plt.Axes | None = None, title: str,
                        xlabel: str) -> plt.Axes:
    """Dot-and-whisker chart of shares with their confidence intervals (columns share, ci_low, ci_high)."""
    ax = _axes(ax, (7.5, 0.4 * max(3, len(table)) + 1))
    y = range(len(table))
    share = table["share"].astype(float) * 100
    ax.errorbar(share, y, xerr=[share - table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100 - share],
                fmt="o", color=PALETTE[0], ecolor=PALETTE[0], capsize=3)
    ax.set_yticks(list(y), table[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------------------------
# Funnel and SLA figures (notebook 02)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Persona figures (notebook 03)
# ---------------------------------------------------------------------------------------------------------------


def persona_colours(names) -> dict:
    """Return the colour of each persona, by position: persona 1 always gets PALETTE[0], persona 2 PALETTE[1] …
    (names in persona order, or a {persona number: name} mapping), so a persona has one colour in every report."""
    ordered = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(ordered)}


def plot_k_choice(scores: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Lines of stability (median adjusted Rand index of bootstrap refits) and silhouette by number of personas,
    the chosen k marked."""
    ax = _axes(ax)
    ax.plot(scores["k"], scores["stability"], marker="o", color=PALETTE[0], label="Stability (adjusted Rand index)")
    ax.plot(scores["k"], scores["silhouette"], marker="s", color=PALETTE[1], label="Silhouette")
    chosen = scores[scores["chosen"]]
    ax.scatter(chosen["k"], chosen["stability"], s=160, facecolors="none", edgecolors=PALETTE[5], linewidths=2,
               label=f"Chosen: k = {int(chosen['k'].iat[0])}", zorder=3)
    ax.set_xticks(list(scores["k"]))
    ax.set_xlabel("Number of personas (k)")
    ax.set_ylabel("Score (0–1, higher is better)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Stability and separation by number of personas")
    ax.legend(frameon=False, loc="center right")
    return ax


def plot_persona_sizes(sizes: pd.DataFrame, *, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: share of respondents per persona with its 95% CI, in persona colours."""
    ax = _axes(ax, (7.5, 0.5 * max(3, len(sizes)) + 1))
    colours = persona_colours(dict(zip(sizes["persona_id"], sizes["persona"])))
    table = sizes.iloc[::-1]
    share = table["share"].astype(float) * 100
    ax.barh(table["persona"], share, color=[colours[p] for p in table["persona"]],
            xerr=[share - table["ci_low"].astype(float) * 100, table["ci_high"].astype(float) * 100 - share],
            capsize=3, ecolor="#444444")
    ax.set_xlabel("Share of respondents (%)")
    ax.set_ylabel("Persona")
    ax.set_title("Persona sizes (95% Wilson intervals)")
    return ax


def plot_persona_map(embedding: pd.DataFrame, names: dict, *, ax: plt.Axes | None = None, min_group_size: int = 1,
                     max_points: int = 6000, seed: int = 0) -> plt.Axes:
    """Scatter of the 2-D persona map (columns x, y, persona_id), one colour per persona, labelled at each
    persona's median position. At most `max_points` points are drawn (a seeded sample) so the figure stays
    small; personas with fewer than `min_group_size` respondents are not drawn."""
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
        centre = shown.loc[shown["persona_id"] == pid, ["x", "y"]].median()
        ax.annotate(str(pid), (centre["x"], centre["y"]), ha="center", va="center", fontsize=12, fontweight="bold",
                    bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": colours[names[pid]]})
    ax.set_xlabel("Map dimension 1 (no unit)")
    ax.set_ylabel("Map dimension 2 (no unit)")
    ax.set_title("Persona map: respondents who answered alike sit together")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, markerscale=3, fontsize=8)
    return ax


def plot_persona_traits(top: pd.DataFrame, *, title: str, colour: str = PALETTE[0],
                        ax: plt.Axes | None = None) -> plt.Axes:
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
        ax.errorbar(change.loc[row.name], y, xerr=[[change.loc[row.name] - row["change_ci_low"] * 100],
                                                  [row["change_ci_high"] * 100 - change.loc[row.name]]],
                    fmt="o", color=colours[row["persona"]], capsize=3)
    ax.set_yticks(range(len(table)), table["persona"])
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Change in share, new wave minus fitted wave (percentage points)")
    ax.set_ylabel("Persona")
    ax.set_title("How persona shares moved (95% Newcombe intervals)")
    return ax



# ---------------------------------------------------------------------------------------------------------------
# Converting-lead figures (notebook 04)
# ---------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# Alignment-report figures (notebook 05)
# ---------------------------------------------------------------------------------------------------------------
