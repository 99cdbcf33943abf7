"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .cleaning import plot_missingness, plot_rows_by_step, plot_shares_with_ci
from .funnel import (
    plot_cohorts,
    plot_friction_points,
    plot_funnel,
    plot_kpis,
    plot_lift,
    plot_lost_reasons,
    plot_mql_volume,
    plot_sla_by_owner,
    plot_sla_distribution,
    plot_sla_weekly,
)
from .leads import (
    plot_calibration,
    plot_conversion_by_value,
    plot_driver_importance,
    plot_gains,
    plot_numeric_by_outcome,
    plot_partial_dependence,
)
from .personas import plot_k_choice, plot_persona_map, plot_persona_sizes, plot_persona_traits, plot_share_drift
from .theme import PALETTE, THEME, apply_theme, category_colours, figure_to_data_uri, persona_colours
from .timing import plot_forecast_backtest, plot_time_to_win
from .weights import plot_weight_margins

__all__ = [
    "PALETTE",
    "THEME",
    "apply_theme",
    "category_colours",
    "figure_to_data_uri",
    "persona_colours",
    "plot_calibration",
    "plot_cohorts",
    "plot_conversion_by_value",
    "plot_driver_importance",
    "plot_forecast_backtest",
    "plot_friction_points",
    "plot_funnel",
    "plot_gains",
    "plot_k_choice",
    "plot_kpis",
    "plot_lift",
    "plot_lost_reasons",
    "plot_missingness",
    "plot_mql_volume",
    "plot_numeric_by_outcome",
    "plot_partial_dependence",
    "plot_persona_map",
    "plot_persona_sizes",
    "plot_persona_traits",
    "plot_rows_by_step",
    "plot_share_drift",
    "plot_shares_with_ci",
    "plot_sla_by_owner",
    "plot_sla_distribution",
    "plot_sla_weekly",
    "plot_time_to_win",
    "plot_weight_margins",
]
