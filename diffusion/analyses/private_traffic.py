"""Analysis of the private-traffic experiment (P4): how steady is a creator's audience?

For every creator with at least three complete posts, the variability across posts of the
audience from followers (private domain: the follow feed) and from the public feeds
(discovery and same city) is measured two ways: the plain coefficient of variation, and the
variation beyond counting noise (:func:`diffusion.metrics.creators.excess_cv`), which does not
penalise small audiences for being small. Each run reports the median over creators.

Effect: on the decentralized feed, per run, private minus public excess CV, claimed to fall
(followers steadier), judged by :func:`diffusion.analysis.judge` against the registry's smallest
effect. The same contrast under every other policy is reported with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from diffusion import analysis, plots, report
from diffusion.analyses import common

P = "platform"
KINDS = {"": "coefficient of variation", "excess_": "excess coefficient of variation (beyond counting noise)"}


def long_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Median audience variability per run, by traffic source and kind of CV, long form."""
    rows = []
    for prefix, kind in KINDS.items():
        for source in ("private", "public"):
            column = f"{source}_audience_{prefix}cv"
            part = outcomes[[P, "replicate", column]].rename(columns={column: "cv"})
            part.insert(1, "traffic", "followers (private)" if source == "private" else "discovery + same city (public)")
            part.insert(2, "kind", kind)
            rows.append(part)
    return pd.concat(rows, ignore_index=True)


def analyse(settings: Any, tables: dict[str, pd.DataFrame], out_dir: Path, *, header: dict[str, Any],
            knockouts: dict[str, dict[str, pd.DataFrame]] | None = None) -> Path:
    """Figure, summary table and report of the private-traffic experiment."""
    outcomes = tables["outcomes"]
    fig_dir, paths = out_dir / "figures", {}
    summary = analysis.summarise(long_table(outcomes), by=[P, "traffic", "kind"], measures=["cv"])
    summary.to_csv(out_dir / "summary.csv", index=False)
    for prefix, kind in KINDS.items():
        fig = plots.bar_with_ci(
            summary[summary["kind"] == kind], x=P, hue="traffic", measure="cv",
            title=f"P4: per-post audience variability ({kind.split(' (')[0]})", xlabel="policy",
            ylabel=f"median {kind.split(' (')[0]} over creators",
        )
        common.save(fig, fig_dir, f"private_traffic_{prefix or 'plain_'}cv.png", paths, out_dir)

    results = []
    policies = sorted(outcomes[P].unique())
    reference = "decentralized" if "decentralized" in policies else policies[0]
    effects = []
    for policy in [reference, *[p for p in policies if p != reference]]:
        part = outcomes[outcomes[P] == policy]
        effects.append(analysis.paired_columns_difference(
            part, high="private_audience_excess_cv", low="public_audience_excess_cv",
            description=f"excess CV of per-post audience, followers minus public feeds ({policy})",
        ))
    plain = analysis.paired_columns_difference(
        outcomes[outcomes[P] == reference], high="private_audience_cv", low="public_audience_cv",
        description=f"plain CV of per-post audience, followers minus public feeds ({reference})",
    )
    main = effects[0]
    results.append(report.claim_result(
        "P4", {"steadiness": main}, extra_effects=[*effects[1:], plain],
        conditions=(
            "Followers see a followed creator's live posts through the follow feed at a steady rate, "
            "while public traffic depends on how the policy ranks each post. The plain CV mixes that "
            f"with counting noise ({common.describe(plain)} under {reference}): small follower audiences "
            "scatter a lot just by chance, which is why the verdict uses the excess CV. Under peer_only "
            "the public side is the same-city feed alone."
        ),
        figures=list(paths.values()),
    ))
    notes = [
        f"{len(policies)} policies x {settings.run.n_replicates} paired replicates, {settings.network.n_users} "
        f"users, {settings.run.n_steps} days. Posts count when their whole life fell inside the run; "
        "campaign items are left out.",
    ]
    return report.write_report(
        out_dir / "report.md", title="Private vs public traffic: how steady is a creator's audience (P4)",
        claim_results=results, header=common.header(header, settings), figures=list(paths.values()), notes=common.with_survey(notes, outcomes),
    )
