"""One theme for every figure: the colour-blind safe palette, colours per category and per persona, the matplotlib
settings, new Axes in that theme, and a figure as a deterministic PNG data URI. Plot functions never show or save;
the caller decides."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.rcsetup import cycler  # matplotlib.cycler: the same function, under the name its stubs know
from matplotlib.typing import RcKeyType

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
THEME: dict[RcKeyType, Any] = {
    "figure.figsize": (7.5, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": cycler(color=PALETTE),
    "svg.hashsalt": "alignkit",
}


def category_colours(categories: Sequence[object]) -> dict[object, str]:
    """Return a colour per category, in the order given (e.g. personas by id), from the colour-blind safe palette:
    the same categories in the same order get the same colours in every figure and every report."""
    return {category: PALETTE[i % len(PALETTE)] for i, category in enumerate(categories)}


def persona_colours(names: Sequence[object] | dict[int, object]) -> dict[object, str]:
    """Return the colour of each persona, by position: persona 1 always gets PALETTE[0], persona 2 PALETTE[1] …
    (names in persona order, or a {persona number: name} mapping), so a persona has one colour in every report."""
    ordered = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(ordered)}


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


def ci_errors(centre, low, high) -> list[np.ndarray]:
    """Return matplotlib's [below, above] error lengths for an interval around `centre`, never negative (a rate of
    100% with a CI ending at 99.999…% from rounding is drawn as no error, not refused)."""
    centre, low, high = (np.asarray(v, dtype=float) for v in (centre, low, high))
    return [np.clip(centre - low, 0, None), np.clip(high - centre, 0, None)]
