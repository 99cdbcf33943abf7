"""Notebook 04's multi-panel figures, drawn from a LeadsResult: conversion by value of the top drivers, the
numeric ones by outcome, the score's gains and calibration, and its partial dependence. Each returns the Figure,
or None when there is nothing to draw (no driver, no numeric attribute, no score)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from alignkit import plots
from alignkit.leads.analysis import LeadsResult

TOP = 3


def top_values_figure(result: LeadsResult, *, top: int = TOP) -> plt.Figure | None:
    """Return one panel per top driver: its conversion rate per value with CIs (None without drivers)."""
    drivers = result.top_drivers[:top]
    if not drivers:
        return None
    fig, axes = plt.subplots(len(drivers), 1, figsize=(7.5, 3.2 * len(drivers)), squeeze=False)
    for attribute, ax in zip(drivers, axes[:, 0]):
        plots.plot_conversion_by_value(result.values, attribute, overall_rate=result.overall_rate, ax=ax)
    fig.tight_layout()
    return fig


def numeric_figure(result: LeadsResult, *, top: int = TOP) -> plt.Figure | None:
    """Return one panel per numeric attribute among the top drivers: its distribution among converters and the
    rest (None when no top driver is numeric)."""
    numeric = (
        [a for a in result.top_drivers[:top] if a in set(result.distribution["attribute"])]
        if len(result.distribution)
        else []
    )
    if not numeric:
        return None
    fig, axes = plt.subplots(1, len(numeric), figsize=(6 * len(numeric), 3.8), squeeze=False)
    for attribute, ax in zip(numeric, axes[0]):
        plots.plot_numeric_by_outcome(result.distribution, attribute, ax=ax)
    fig.tight_layout()
    return fig


def score_figure(result: LeadsResult) -> plt.Figure | None:
    """Return the score's gains chart (with sales capacity marked when set) beside its calibration (None without a
    score)."""
    if result.score is None:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    plots.plot_gains(result.score.gains, capacity_share=result.score.threshold.get("capacity_share"), ax=axes[0])
    plots.plot_calibration(result.score.calibration, ax=axes[1])
    fig.tight_layout()
    return fig


def partial_dependence_figure(result: LeadsResult) -> plt.Figure | None:
    """Return one panel per numeric driver the score shows partial dependence for (None when there is none)."""
    curves = result.score.partial_dependence if result.score is not None else {}
    if not curves:
        return None
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.8), squeeze=False)
    for (attribute, curve), ax in zip(curves.items(), axes[0]):
        plots.plot_partial_dependence(curve, attribute, ax=ax)
    fig.tight_layout()
    return fig
