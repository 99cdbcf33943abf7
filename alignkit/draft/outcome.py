"""The outcome drafted from the values: a stage column laid out as funnel stages in order (with the date column
that marks each stage reached, the lost values, and how open deals are judged), or a converted column laid out as
converted / not converted / open values; and the fields suspected of being recorded after the outcome.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field, replace

import pandas as pd

from alignkit.config import OUTCOME_CONVERTED, OUTCOME_NOT_CONVERTED
from alignkit.ingest.files import parse_numbers, to_snake_case
from alignkit.ingest.tokens import fold_token
from alignkit.leads.leakage import outcome_evidence
from alignkit.meaning.tables import ExportFile

WON_WORDS = frozenset({"won", "closed won", "closedwon", "customer", "converted", "signed", "closed - won", "win"})
LOST_WORDS = frozenset(
    {
        "lost",
        "closed lost",
        "closedlost",
        "disqualified",
        "unqualified",
        "rejected",
        "dead",
        "junk",
        "closed - lost",
        "churned",
        "lost deal",
    }
)
OPEN_WORDS = frozenset({"open", "in progress", "pending", "ongoing"})
FILLED = 0.95  # a date column marks a stage when filled for this share of its rows …
EMPTY = 0.05  # … and for at most this share of the rows of every earlier stage
LEAKAGE_AUC = 0.9  # leads.leakage_auc's default


@dataclass(frozen=True)
class StageDraft:
    """One funnel stage drafted from a stage value: its rows and the date column marking it reached."""

    value: str
    rows: int
    reached_column: str | None = None
    evidence: str = ""


@dataclass(frozen=True)
class OutcomeDraft:
    """The outcome as drafted: stages (funnel order) and lost values, or converted / not / open values."""

    column: str
    stages: list[StageDraft] = field(default_factory=list)
    lost_values: list[str] = field(default_factory=list)
    judge: str = "maturity"
    judge_evidence: str = ""
    order_evidence: str = ""
    converted_values: list[str] = field(default_factory=list)
    not_converted_values: list[str] = field(default_factory=list)
    open_values: list[str] = field(default_factory=list)
    value_evidence: str = ""
    converted: pd.Series | None = None  # per row: True / False, NA while open (for the post-outcome checks)
    membership_file: str = ""  # converted = the row's id is listed in this file's `membership_key`
    membership_key: str = ""
    membership_date: str = ""  # … on the date in this column of it ("" = none found)
    membership_date_evidence: str = ""
    stages_from_outcome: bool = False  # `stages` were drafted from the outcome and dates (no stage column)


def _fill(frame: pd.DataFrame, rows: pd.Series, columns: list[str]) -> dict[str, float]:
    return {c: float(frame.loc[rows, c].notna().mean()) if rows.any() else 0.0 for c in columns}


def stage_layout(frame: pd.DataFrame, column: str, date_columns: list[str]) -> OutcomeDraft:
    """Return the stage column's values as funnel stages: lost values (by name) left out of the order, the won
    value last, the others ordered by how many date columns their rows have filled (then by rows), each stage after
    the first marked by the date column filled for its rows and empty before it; `judge` is 'closed' when a date
    column is filled for won and lost rows alike and empty for open ones (a close date)."""
    values = frame[column].astype("str").str.strip()
    counts = values.value_counts()
    won = [v for v in counts.index if fold_token(v) in WON_WORDS]
    lost = [v for v in counts.index if fold_token(v) in LOST_WORDS]
    won_value = won[0] if won else None
    open_values = [v for v in counts.index if v not in lost and v != won_value]
    fill = {v: _fill(frame, values == v, date_columns) for v in counts.index}
    if date_columns:
        ordered = sorted(open_values, key=lambda v: (sum(fill[v].values()), -counts[v], v))
        how = "ordered by how many of the date columns their rows have filled (" + ", ".join(date_columns) + ")"
    else:
        ordered = sorted(open_values, key=lambda v: (-counts[v], v))
        how = "no stage dates: ordered by rows, most first — check the order"
    order = [*ordered, *([won_value] if won_value else [])]
    stages, used = [], set[str]()
    for i, value in enumerate(order):
        reached, evidence = None, f"{counts[value]:,} rows"
        if i > 0:
            for date in date_columns:
                later_lost = value == won_value and any(fill[v][date] > EMPTY for v in lost)
                if date in used or later_lost or fill[value][date] < FILLED:
                    continue
                if all(fill[earlier][date] <= EMPTY for earlier in order[:i]):
                    reached, used = date, used | {date}
                    evidence += f"; {date} filled for {fill[value][date]:.0%} of them and empty before this stage"
                    break
        stages.append(StageDraft(value, int(counts[value]), reached, evidence))
    judge, judge_evidence = "maturity", "no date is filled for won and lost deals alike: open leads are judged by age"
    if won_value and lost:
        for date in date_columns:
            closed = [fill[won_value][date], *(fill[v][date] for v in lost)]
            if min(closed) >= FILLED and all(fill[v][date] <= EMPTY for v in open_values):
                judge = "closed"
                judge_evidence = (
                    f"{date} is filled for won and lost deals and empty for open ones: an opportunity "
                    f"pipeline, where an open deal is never judged"
                )
                break
    converted = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    if won_value:
        converted = converted.mask(values == won_value, True).mask(values.isin(lost), False)
        if judge == "maturity":
            converted = converted.fillna(False)
    return OutcomeDraft(
        column,
        stages=stages,
        lost_values=lost,
        judge=judge,
        judge_evidence=judge_evidence,
        order_evidence=how,
        converted=converted,
        converted_values=[won_value] if won_value else [],
    )


def converted_layout(frame: pd.DataFrame, column: str) -> OutcomeDraft:
    """Return a converted column's values as converted / not converted / open values, read from the words alignkit
    knows (1/0, yes/no, won/lost, open …); of two unknown values the rarer one is guessed to be converted."""
    values = frame[column].astype("str").str.strip()
    counts = values.value_counts()
    known = {fold_token(v) for v in OUTCOME_CONVERTED}, {fold_token(v) for v in OUTCOME_NOT_CONVERTED}
    yes = [v for v in counts.index if fold_token(v) in known[0]]
    no = [v for v in counts.index if fold_token(v) in known[1]]
    open_ = [v for v in counts.index if fold_token(v) in OPEN_WORDS]
    rest = [v for v in counts.index if v not in (*yes, *no, *open_)]
    evidence = "read from the values' words"
    if not yes and not no and len(rest) == 2:
        yes, no, rest = [rest[1]], [rest[0]], []
        evidence = "two values alignkit does not know: the rarer one guessed as converted — check it"
    no.extend(rest)
    if rest:
        evidence += "; values alignkit does not know counted as not converted: " + ", ".join(rest)
    evidence += " (" + ", ".join(f"{v} {n:,}" for v, n in counts.items()) + " rows)"
    converted = (
        pd.Series(pd.NA, index=frame.index, dtype="boolean").mask(values.isin(yes), True).mask(values.isin(no), False)
    )
    return OutcomeDraft(
        column,
        converted_values=yes,
        not_converted_values=no,
        open_values=open_,
        value_evidence=evidence,
        converted=converted,
    )


WIN_DATE_WORDS = ("won", "win", "close", "closed", "convert", "signed", "purchase", "order")


def membership_date(members: ExportFile) -> tuple[str, str] | None:
    """Return the membership table's column holding when each listed contact converted, with the evidence: its only
    date column, or the date column named like a win or a close (won_date, close_date …); None when it has none."""
    dates = [c for c, m in members.meanings.items() if m.role == "date" and c != members.member_key]
    if not dates:
        return None
    named = [c for c in dates if any(w in to_snake_case(c) for w in WIN_DATE_WORDS)]
    if len(named) == 1:
        return named[0], f"its date column named like a win or a close ({members.meanings[named[0]].evidence})"
    if len(dates) == 1:
        return dates[0], f"its only date column ({members.meanings[dates[0]].evidence})"
    return None


def stages_from_outcome(outcome: OutcomeDraft, *, contacts_name: str, date_column: str) -> OutcomeDraft:
    """Return the outcome with two funnel stages drafted from it, for a table without a stage column whose leads
    have a created date and whose conversions have a date (`date_column`): every lead enters at the first stage
    (MQL when the table is a list of MQLs, else Lead) and reaches the second (Won, or Converted) when its outcome
    says converted, on that date — enough to time conversion, forecast the open leads and size the MQLs a goal
    needs."""
    first = "MQL" if "mql" in to_snake_case(contacts_name) or "qualified" in contacts_name.casefold() else "Lead"
    won = (
        "Won"
        if outcome.membership_file
        and any(w in outcome.membership_file.casefold() for w in ("deal", "won", "closed", "sale"))
        else "Converted"
    )
    evidence = (
        f"no stage column: two stages drafted from the outcome — every lead enters at {first} when created "
        f"and reaches {won} when converted ({outcome.column}), on {date_column}"
    )
    return replace(
        outcome,
        stages=[
            StageDraft(first, 0, evidence="every lead, from its created date"),
            StageDraft(won, 0, evidence=f"converted leads, on {date_column}"),
        ],
        stages_from_outcome=True,
        order_evidence=evidence,
        judge="maturity",
        judge_evidence="no stage column: a lead not converted stays open, judged once it "
        "had cohort_maturity_days to convert",
    )


def membership_layout(frame: pd.DataFrame, members: ExportFile) -> OutcomeDraft:
    """Return the outcome of a table whose converted rows are listed in a membership table: converted when the
    row's id appears in the membership table's key column (yes / no), on its date column when it has one."""
    keys = set(members.frame[members.member_key].dropna().astype("str").str.strip())
    ids = frame[members.member_of].astype("str").str.strip()
    converted = ids.isin(keys)
    evidence = (
        f"{members.path.name} lists {converted.sum():,} of the {len(frame):,} rows' {members.member_of} "
        f"values in its {members.member_key} column ({converted.mean():.1%}): those rows converted"
    )
    date = membership_date(members)
    return OutcomeDraft(
        f"listed in {members.path.name}",
        converted_values=["yes"],
        not_converted_values=["no"],
        value_evidence=evidence,
        converted=converted.astype("boolean"),
        membership_file=members.path.name,
        membership_key=members.member_key,
        membership_date=date[0] if date else "",
        membership_date_evidence=date[1] if date else "",
    )


def post_outcome_suspects(
    frame: pd.DataFrame, attributes: dict[str, str], converted: pd.Series, *, numeric: Set[str] = frozenset()
) -> dict[str, str]:
    """Return attribute name -> evidence for the attributes suspected of being recorded after the outcome (the
    leakage guard's checks read from the data alone: sales-side name, single-field AUC far above the others',
    near-perfect AUC, missing almost only for one outcome), judged on the rows whose outcome is decided."""
    decided = converted.notna()
    if decided.sum() == 0 or converted[decided].nunique() < 2 or not attributes:
        return {}
    leads = pd.DataFrame(index=frame.index[decided])
    for name, column in attributes.items():
        values = frame.loc[decided, column]
        leads[name] = parse_numbers(values)[0] if name in numeric else values
    fields = [n for n in attributes if leads[n].notna().any()]
    aucs, evidence = outcome_evidence(leads, fields, converted[decided].astype(bool), leakage_auc=LEAKAGE_AUC)
    return {
        name: f"{'; '.join(r[1] for r in evidence[name])} (single-field AUC {aucs[name]:.2f})"
        for name in fields
        if evidence[name]
    }


def attribute_name(column: str) -> str:
    """Return the attribute name the draft gives a column: its snake_case name."""
    return to_snake_case(column)
