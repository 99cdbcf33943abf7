"""`alignkit init --from`: a project file drafted from the exports (kinds, mapping, types, outcome, lookups,
suspected post-outcome fields), every guess a comment the user reviews."""

from alignkit.draft.writer import render_project, write_draft  # noqa: F401
