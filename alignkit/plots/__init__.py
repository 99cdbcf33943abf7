"""Every figure, one theme: data in, Axes out. Plot functions never show or save; the caller decides.

theme: palette, colours, matplotlib settings, PNG data URIs · cleaning and weights: notebook 01 · funnel and timing:
funnel, SLA and times to convert (notebook 02) · personas: notebook 03 · leads: converting leads (notebook 04)."""

from alignkit.plots.cleaning import plot_missingness, plot_rows_by_step, plot_shares_with_ci
from alignkit.plots.funnel import (
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
from alignkit.plots.leads import (
                                   plot_calibration,
                                   plot_conversion_by_value,
                                   plot_driver_importance,
                                   plot_gains,
                                   plot_numeric_by_outcome,
                                   plot_partial_dependence,
)
from alignkit.plots.personas import (
                                   plot_k_choice,
                                   plot_persona_map,
                                   plot_persona_sizes,
                                   plot_persona_traits,
                                   plot_share_drift,
)
from alignkit.plots.theme import PALETTE, THEME, apply_theme, category_colours, figure_to_data_uri, persona_colours
from alignkit.plots.timing import plot_forecast_backtest, plot_time_to_win
from alignkit.plots.weights import plot_weight_margins

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
