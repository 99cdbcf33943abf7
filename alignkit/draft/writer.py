"""The drafted project file as commented YAML: every guess is a comment beside the setting it made, so the user
reviews the file instead of typing it. Sample values are shown only for columns whose values are not personal
data (alignkit.privacy.pii_kind); an email, phone or name column shows counts alone."""

from __future__ import annotations

import json
import os
from pathlib import Path

from alignkit.draft.assemble import LookupDraft, ProjectDraft, TableDraft, draft_project
from alignkit.draft.outcome import OutcomeDraft, membership_date
from alignkit.errors import InputFileError
from alignkit.ingest.survey import read_survey
from alignkit.meaning.columns import ColumnMeaning, identifier_evidence
from alignkit.meaning.survey import BASIS, DESCRIPTOR, persona_split
from alignkit.meaning.tables import ExportFile
from alignkit.meaning.words import named_like_behaviour, named_like_spend

COMMENT_COLUMN = 44
STAGE_DEFINITION = "Describe what marks this stage (drafted from the values; agree it with both teams)."


def _q(value: object) -> str:
    """Return a YAML scalar: a double-quoted string (JSON's escaping is valid YAML), numbers as they are."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _one_line(text: str) -> str:
    """Return text on one line (a header or a value may hold line breaks, which would end a YAML comment)."""
    return " ".join(str(text).split())


def _line(text: str, comment: str = "") -> str:
    if not comment:
        return text
    comment = " ".join(comment.split())
    return f"{text.ljust(COMMENT_COLUMN)} # {comment}" if len(text) < COMMENT_COLUMN else f"{text}  # {comment}"


def _file_lines(export: ExportFile, raw: Path, indent: str) -> list[str]:
    how = [f"{export.kind}: {export.reason}", f"{len(export.frame):,} rows × {export.frame.shape[1]} columns"]
    if export.placeholders:
        how.append(f"{export.placeholders:,} form-placeholder cells ('Select', 'N/A' …) read as missing")
    lines = [
        f"{indent}# " + _one_line(f"{export.path.name} — " + "; ".join(how)),
        _line(f"{indent}file: {_q(os.path.relpath(export.path, raw))}"),
    ]
    if export.delimiter is not None and export.given:
        lines.append(_line(f"{indent}encoding: {_q(export.encoding)}", "given to `alignkit init`"))
        lines.append(_line(f"{indent}delimiter: {_q(export.delimiter)}", "given to `alignkit init`"))
    elif export.delimiter is not None:
        lines.append(_line(f"{indent}encoding: auto", f"guessed: {export.encoding} decodes it"))
        lines.append(_line(f"{indent}delimiter: auto", f"guessed: {export.delimiter!r}"))
    return lines


def _attributes(attributes: dict[str, ColumnMeaning], indent: str) -> list[str]:
    return [
        _line(f"{indent}{name}: {_q(t.column)}", f"guessed: {t.role} — {t.evidence}") for name, t in attributes.items()
    ]


def _table_lines(table: TableDraft, raw: Path, indent: str) -> list[str]:
    lines = _file_lines(table.export, raw, indent)
    if table.role:
        lines[0] = lines[0].replace(f" — {table.export.kind}: ", f" — {table.export.kind} ({table.role}): ", 1)
    lines.append(
        f"{indent}columns:" + ("" if table.mapping else " {}                 # nothing guessed: map lead_id at least")
    )
    lines += [_line(f"{indent}  {g.canonical}: {_q(g.column)}", f"guessed: {g.evidence}") for g in table.mapping]
    if table.membership is not None:
        member = table.membership
        lines += [
            f"{indent}# {member.path.name} — membership: {member.reason}",
            _line(
                f"{indent}converted_from: {{file: {_q(os.path.relpath(member.path, raw))}, "
                f"key: {_q(member.member_key)}}}",
                "guessed: converted = its id is listed there",
            ),
        ]
        date = membership_date(member)
        if date:
            lines[-1] = lines[-1].replace("}", f", date: {_q(date[0])}}}", 1)
            lines.append(indent + _one_line(f"#   date: {date[0]} — when each converted: {date[1]}"))
    if table.attributes:
        lines.append(f"{indent}attributes:")
        lines += _attributes(table.attributes, indent + "  ")
    if table.left_out:
        lines.append(f"{indent}# left out (add under attributes if the analysis should use them):")
        lines += [f"{indent}#   " + _one_line(f"{t.column}: {t.role} — {t.evidence}") for t in table.left_out]
    return lines


def _lookup_lines(lookup: LookupDraft, raw: Path) -> list[str]:
    join = lookup.join
    head = _file_lines(lookup.export, raw, "      ")
    lines = ["    " + head[0].strip(), "    - " + head[1].strip(), *head[2:]]
    lines.append(_line(f"      key: {_q(join.key)}", "guessed: unique per row, and its values match the leads' best"))
    lines.append(
        _line(
            f'      "on": {_q(lookup.on)}',
            f"guessed: {join.matched_share:.0%} of the {join.distinct:,} distinct {join.on_column} values "
            f"match once case, spaces and punctuation are folded; {join.near_misses} near miss(es), "
            f"{join.unmatched} unmatched",
        )
    )
    lines.append("      attributes:")
    lines += _attributes(lookup.attributes, "        ")
    return lines


def _survey_lines(draft: ProjectDraft, raw: Path) -> list[str]:
    survey = draft.surveys[0]
    lines = ["survey:", *_file_lines(survey, raw, "  ")]
    lines.append(
        _line(f"  format: {survey.survey_format or 'auto'}", f"guessed: {survey.format_note or 'from the header rows'}")
    )
    lines.append(
        "  # questions and columns as read (alignkit types the answers the same way when it reads the survey):"
    )
    lines += ["  " + _one_line(f"#   {c}: {t.role} — {t.evidence}") for c, t in draft.survey_types.items()]
    return lines


def _funnel_lines(draft: ProjectDraft, outcome: OutcomeDraft) -> list[str]:
    stages = outcome.stages
    if not outcome.converted_values or len(stages) < 2:
        return []
    won = stages[-1].value
    drafted = (
        outcome.order_evidence
        if outcome.stages_from_outcome
        else f"stages drafted from {outcome.column}: {outcome.order_evidence}"
    )
    lines = ["funnel:", "  " + _one_line(f"# {drafted}"), "  stages:"]
    for stage in stages:
        reached = f", reached_column: {_q(stage.reached_column)}" if stage.reached_column else ""
        lines.append(
            _line(
                f"    - {{name: {_q(stage.value)}, value: {_q(stage.value)}{reached}, "
                f"definition: {_q(STAGE_DEFINITION)}}}",
                f"guessed: {stage.evidence}",
            )
        )
    sql = stages[1].value if len(stages) > 2 else stages[0].value
    lines.append(_line(f"  mql_stage: {_q(stages[0].value)}", "guessed: the first stage"))
    lines.append(
        _line(
            f"  sql_stage: {_q(sql)}",
            "guessed: the stage after the first (check it)"
            if len(stages) > 2
            else "guessed: the first stage, as no stage lies between it and the last",
        )
    )
    lines.append(
        _line(
            f"  converted_stage: {_q(won)}",
            "guessed: the converted leads" if outcome.stages_from_outcome else "guessed: its name says won",
        )
    )
    lines.append(
        _line(
            f"  lost_values: {json.dumps(outcome.lost_values, ensure_ascii=False)}",
            "guessed: their names say lost" if outcome.lost_values else "no value named like a loss",
        )
    )
    lines.append(_line(f"  judge: {outcome.judge}", f"guessed: {outcome.judge_evidence}"))
    lines.append(
        _line(
            f"  breakdowns: {json.dumps(draft.breakdowns)}",
            "guessed: channel, owner and attributes with at most 12 values",
        )
    )
    return lines


def _outcome_lines(outcome: OutcomeDraft) -> list[str]:
    lines = ["outcome:", "  # " + _one_line(f"{outcome.column}: {outcome.value_evidence}")]
    for key in ("converted_values", "not_converted_values", "open_values"):
        lines.append(f"  {key}: {json.dumps(getattr(outcome, key), ensure_ascii=False)}")
    return lines


def _leads_lines(draft: ProjectDraft) -> list[str]:
    if not draft.suspects and not draft.exclude_fields:
        return []
    lines = ["leads:"]
    if draft.suspects:
        lines.append(
            "  post_outcome_fields:                      # suspected: recorded after the outcome, never drivers"
        )
        lines += [_line(f"    - {name}", f"evidence: {why}") for name, why in draft.suspects.items()]
    if draft.exclude_fields:
        lines.append(
            _line(
                f"  exclude_fields: {json.dumps(draft.exclude_fields)}",
                "guessed: the sales owner (and what is joined on it) is assigned by sales, not a trait of "
                "the lead; remove if assignment comes before",
            )
        )
    return lines


def _survey_persona_lines(survey: ExportFile) -> list[str]:
    """Return the personas section for a survey: the questions that form the personas (attitudes, needs,
    behaviour) and those that describe them (descriptors), each with its evidence; [] if the survey cannot be read."""
    try:
        export = read_survey(
            survey.path,
            format=survey.survey_format or "auto",
            encoding=survey.encoding,
            delimiter=survey.delimiter or "auto",
        )
    except (InputFileError, ValueError, OSError):
        return []
    answers = export.responses
    usable = [
        c
        for c in export.codebook["column"]
        if c in answers and answers[c].dropna().nunique() > 1 and not identifier_evidence(answers[c], c)
    ]
    split = persona_split(export.codebook[export.codebook["column"].isin(usable)])  # constants and row numbers out
    if split.empty:
        return []
    groups = split.drop_duplicates("group")
    basis = list(groups.loc[groups["use"] == BASIS, "group"])
    described = groups[groups["use"] == DESCRIPTOR]
    questions = export.codebook.drop_duplicates("group").set_index("group")["question"]
    lines = [
        "personas:",
        "  algorithm: auto                          # latent classes when answers are skipped, else k-means",
        "  # Attitudes, needs and behaviour form the personas; who the respondents are describes them. Move a",
        "  # question from one list to the other to segment on it (a B2B project may segment on company size).",
        _line(f"  features: {json.dumps(basis)}", "guessed: attitudes, needs, behaviour"),
    ]
    lines.append(
        _line(
            f"  profile_only: {json.dumps(list(described['group']))}",
            "guessed: descriptors, compared per persona with CIs",
        )
    )
    for row in described.itertuples():
        lines.append("  " + _one_line(f"#   {row.group} ({str(questions.get(row.group, ''))[:50]}): {row.evidence}"))
    return lines


def _crm_persona_lines(draft: ProjectDraft) -> list[str]:
    """Return the personas section for a CRM alone: source: crm when the contacts record spend or purchases (a
    customer table), else a comment saying how to form personas from the attributes; [] without attributes."""
    attributes = list(draft.contacts.attributes) if draft.contacts is not None else []
    spend = [a for a in attributes if named_like_spend(a)]
    if len(spend) >= 2:
        behaviour = [a for a in attributes if named_like_behaviour(a)]
        return [
            "personas:",
            _line(
                "  source: crm",
                f"guessed: a customer table ({', '.join(spend[:3])} …): what customers do and spend forms the personas",
            ),
            "  " + _one_line(f"# forming them: {', '.join(behaviour)}; who they are and the outcome describe them"),
        ]
    if attributes:
        return ["# personas: set `personas: {source: crm}` to form personas from these attributes (no survey found)"]
    return []


def render_project(draft: ProjectDraft, *, folder: Path, title: str) -> str:
    """Return the drafted alignkit.yml text for a project folder (input paths relative to its paths.raw)."""
    folders = {e.path.resolve().parent for e in draft.exports}
    raw = Path(os.path.commonpath([str(f) for f in folders])) if folders else folder.resolve() / "data" / "raw"
    names = ", ".join(e.path.name for e in draft.exports)
    lines = [
        f"# alignkit.yml drafted by `alignkit init --from` from {len(draft.exports)} export(s): {names}.",
        "# Every guess is a comment beside the setting it made: review them, fix what is wrong, then run",
        "# `alignkit validate`. Sample values are never shown for columns holding emails, phones or names.",
        f"project: {_q(title)}",
        "seed: 1",
        "paths:",
        f"  raw: {_q(os.path.relpath(raw, folder.resolve()))}",
        "",
    ]
    if draft.surveys:
        lines += [*_survey_lines(draft, raw), ""]
    if draft.contacts is not None:
        lines += [
            "crm:",
            _line(f"  format: {draft.crm_format}", "guessed from the contacts' header"),
            "  contacts:",
            *_table_lines(draft.contacts, raw, "    "),
        ]
        for other in draft.others:
            lines += [f"  {other.export.kind}:", *_table_lines(other, raw, "    ")]
        if draft.lookups:
            lines.append("  lookups:")
            for lookup in draft.lookups:
                lines += _lookup_lines(lookup, raw)
        lines.append("")
        outcome = draft.outcome
        if outcome is not None and outcome.stages_from_outcome:
            lines += [*_outcome_lines(outcome), "", *_funnel_lines(draft, outcome), ""]
        elif outcome is not None and outcome.stages:
            funnel = _funnel_lines(draft, outcome)
            lines += (
                [*funnel, ""]
                if funnel
                else [
                    _one_line(
                        f"# {outcome.column}: no won value among its values, "
                        f"so no funnel was drafted; add funnel.stages by hand"
                    ),
                    "",
                ]
            )
        elif outcome is not None:
            lines += [*_outcome_lines(outcome), ""]
        lines += [*_leads_lines(draft)]
    persona_lines = (
        _survey_persona_lines(draft.surveys[0])
        if draft.surveys
        else _crm_persona_lines(draft)
        if draft.contacts is not None
        else []
    )
    if persona_lines:
        lines += ["", *persona_lines]
    if draft.spend is not None and draft.contacts is not None and draft.outcome is not None and draft.outcome.stages:
        lines.append(f"# marketing spend found in {draft.spend.path.name}: set funnel.spend_file to use it")
    for export in draft.unused:
        lines.append(
            _one_line(
                f"# not used: {export.path.name} ({export.kind or 'unknown'}: {export.reason or 'no join found'})"
            )
        )
    lines += [
        "",
        "privacy:",
        "  min_group_size: 10                        # groups smaller than this are never shown",
        "  # salt: `alignkit init` wrote a random one into .alignkit-salt (kept out of git); ALIGNKIT_SALT "
        "overrides it",
    ]
    return "\n".join(lines) + "\n"


def write_draft(
    sources: list[Path], folder: Path, *, into: Path | None = None, encoding: str = "auto", delimiter: str = "auto"
) -> tuple[Path, ProjectDraft]:
    """Return the path of the alignkit.yml drafted for `folder` from the exports named by `sources`, and the draft.
    The file is written into `into` (default: `folder`), its paths relative to `folder`: `alignkit init` drafts in
    a temporary folder beside the project and moves it into place once everything succeeded."""
    draft = draft_project(sources, encoding=encoding, delimiter=delimiter)
    text = render_project(draft, folder=folder, title=f"{folder.resolve().name} (drafted from the exports)")
    path = (into or folder) / "alignkit.yml"
    path.write_text(text, encoding="utf-8")
    return path, draft
