"""A headline finding and its next step. The analysis that measures a finding is the one that knows whether it gives
a sales manager something to do, so it writes the step itself, or no step at all ("no segment converts below the
rest" asks for none); the detailed reports' headlines and the alignment page print findings as they come and never
attach a step of their own. The templates show the step in bold after NEXT_STEP."""

from __future__ import annotations

NEXT_STEP = " Next step: "
# Hosmer & Lemeshow (Applied Logistic Regression, 3rd ed., 2013, §5.2.4): an ROC AUC below 0.7 is poor
# discrimination and below 0.6 close to none; a score that ranks leads this weakly is not worth a sales team's order.
USEFUL_AUC = 0.6


def finding(line: str, step: str | None = None) -> str:
    """Return the finding's line followed by " Next step: <step>" when a step is given (the finding is actionable),
    else the line alone."""
    if not step:
        return line
    return f"{line.rstrip()}{NEXT_STEP}{step.removeprefix('Next step:').strip()}"


def next_step(line: str) -> str | None:
    """Return the next step a finding's line carries, or None when it carries none."""
    parts = line.split(NEXT_STEP, 1)
    return parts[1] if len(parts) > 1 else None
