"""Statistical helpers shared by the analyses. Every one takes optional `weights=`; no weights means weights of one,
and then results equal the textbook unweighted ones to the last digit.

proportions: the weights check, Kish's effective n, Wilson intervals, shares, Benjamini–Hochberg · compare: two
proportions, segment vs rest, lift, a share or mean in a group vs the rest · association: crosstab, Cramér's V,
chi-square / Fisher, Mann–Whitney, AUC and its interval · weighted: design effect, weighted shares, means, crosstab
(Rao–Scott), Cohen's d and h, median · distributions: the normal, t and chi-square tails from scipy.special."""

import lazy_loader

# Each name loads its module on first use, so importing a package costs nothing until it is used
# (the names and their modules: __init__.pyi).
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
