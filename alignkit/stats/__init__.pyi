"""Names re-exported by the package, loaded on first use (lazy_loader reads this stub; type checkers too)."""

from .association import (
    Association, auc_interval, categorical_association, cramers_v, crosstab, discrimination_auc, mann_whitney,
)
from .compare import (
    FISHER_MIN_EXPECTED, compare_mean, compare_proportions, compare_share, proportion_difference,
    ratio_of_proportions, segment_vs_rest, standardised_difference, total_variation_distance, weighted_mean_sd,
)
from .proportions import (
    Z_95, Proportion, as_weights, benjamini_hochberg, effective_sample_size, proportion, proportions_by,
    wilson_interval, wilson_intervals,
)
from .weighted import (
    StandardisedDifference, WeightedCrosstab, WeightedMean, design_effect, weighted_cohens_d,
    weighted_cohens_h, weighted_crosstab, weighted_mean, weighted_median, weighted_shares,
)

__all__ = [
    "Association", "FISHER_MIN_EXPECTED", "Proportion", "StandardisedDifference", "WeightedCrosstab",
    "WeightedMean", "Z_95", "as_weights", "auc_interval", "benjamini_hochberg", "categorical_association",
    "compare_mean", "compare_proportions", "compare_share", "cramers_v", "crosstab", "design_effect",
    "discrimination_auc", "effective_sample_size", "mann_whitney", "proportion", "proportion_difference",
    "proportions_by", "ratio_of_proportions", "segment_vs_rest", "standardised_difference",
    "total_variation_distance", "weighted_cohens_d", "weighted_cohens_h", "weighted_crosstab",
    "weighted_mean", "weighted_mean_sd", "weighted_median", "weighted_shares", "wilson_interval",
    "wilson_intervals",
]
