"""Optimal reviewer assignment: a min-cost flow (OR-Tools), as OpenReview's matcher does.

Network: source → reviewer (capacity L minus what they already have; the first `min_per_reviewer`
units carry a bonus so minimums fill first) → (application, reviewer's institution) (capacity 1:
at most one reviewer per institution on an application) → application (capacity k minus what it
has) → sink. Pair arcs exist only where no blocking conflict exists; their cost is minus the
affinity. When the maximum flow falls short of k × N the settings are infeasible, and the
explanation says why: capacity short (k × N > Σ L), the applications lacking k eligible reviewers
(and which conflicts removed whom), and a group of applications that together lack reviewers
(Hall's condition, read off the max flow's min cut).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from consortia.models import Application, KpiTarget
from evaluations import affinity, selectors
from evaluations.models import ApplicationText, Assignment, Panel, PanelMember, Reviewer

SCALE = 1000  # affinity in [0, 1] → integer cost
MIN_BONUS = 10 * SCALE  # outweighs any affinity: minimums first
CANDIDATES = 25  # pair arcs kept per application (best affinity); the full set when infeasible


@dataclass
class Problem:
    panel: Panel
    apps: list[int]
    reviewers: list[int]
    need: dict[int, int]
    capacity: dict[int, int]
    minimum: int
    institution: dict[int, int | None]
    blocked: np.ndarray  # (n, 2): application, reviewer
    taken_institutions: dict[int, set[int]]
    existing: set[tuple[int, int]]
    scores: np.ndarray  # apps × reviewers
    timings: dict[str, float] = field(default_factory=dict)


def refresh_application_texts(app_ids) -> None:
    """Tokenises the applications whose text changed since it was last tokenised (hash kept).
    `app_ids`: a list of ids or a subquery of them."""
    kpis: dict[int, list[str]] = defaultdict(list)
    for a, indicator in KpiTarget.objects.filter(application__in=app_ids).values_list(
        "application_id", "indicator"
    ):
        kpis[a].append(str(KpiTarget(indicator=indicator).get_indicator_display()))
    known = dict(
        ApplicationText.objects.filter(application__in=app_ids).values_list("application_id", "text_hash")
    )
    stale = []
    for app in Application.objects.filter(pk__in=app_ids).only(
        "pk", "title", "future_technology", "key_industry", "summary"
    ):
        text = affinity.application_text(app, sorted(set(kpis.get(app.pk, []))))
        digest = affinity.text_hash(text)
        if known.get(app.pk) != digest:
            stale.append(
                ApplicationText(application=app, text_hash=digest, tokens=" ".join(affinity.tokens(text)))
            )
    if stale:
        ApplicationText.objects.bulk_create(
            stale,
            update_conflicts=True,
            unique_fields=["application"],
            update_fields=["text_hash", "tokens"],
            batch_size=1000,
        )


class RunCancelled(Exception):
    """The officer cancelled the run: the task stops at the next phase boundary."""


def _no_checkpoint(progress: int, step: str) -> None:
    return None


def load(panel: Panel, checkpoint: Callable[[int, str], None] = _no_checkpoint) -> Problem:
    """The panel's applications, reviewers, capacities, conflicts and affinity matrix.
    `checkpoint(progress, step)` runs between phases and may raise RunCancelled."""
    t0 = time.perf_counter()
    # Later reads take these as subqueries, not as lists of thousands of ids.
    app_rows = selectors.panel_applications(panel).filter(state=Application.State.UNDER_REVIEW)
    apps = list(app_rows.order_by("pk").values_list("pk", flat=True))
    seats = PanelMember.objects.filter(panel=panel, reviewer__is_available=True)
    reviewers = list(seats.order_by("reviewer_id").values_list("reviewer_id", flat=True))
    app_ids, reviewer_ids = app_rows.order_by().values("pk"), seats.order_by().values("reviewer_id")
    active = Assignment.objects.filter(panel=panel, withdrawn_at__isnull=True)
    existing = set(active.values_list("application_id", "reviewer_id"))
    per_app: dict[int, int] = defaultdict(int)
    per_rev: dict[int, int] = defaultdict(int)
    for a, r in existing:
        per_app[a] += 1
        per_rev[r] += 1
    k, cap = panel.reviewers_per_application, panel.max_per_reviewer
    day = timezone.localdate(panel.opens_at)
    from evaluations.services import current_institutions

    orgs = current_institutions(reviewers, on=day)
    institution = {r: (min(o) if o else None) for r, o in orgs.items()}
    taken: dict[int, set[int]] = defaultdict(set)
    for a, r in existing:
        if institution.get(r) is not None:
            taken[a].add(institution[r])
    blocked = selectors.blocked_pairs(panel)
    t1 = time.perf_counter()
    checkpoint(20, "texts")
    refresh_application_texts(app_ids)
    _backfill_reviewer_tokens(reviewer_ids)
    checkpoint(35, "affinity")
    app_tokens = dict(
        ApplicationText.objects.filter(application__in=app_ids).values_list("application_id", "tokens")
    )
    rev_tokens = dict(Reviewer.objects.filter(pk__in=reviewer_ids).values_list("pk", "expertise_tokens"))
    scores = affinity.affinity_matrix(
        [app_tokens.get(a, "").split() for a in apps], [rev_tokens.get(r, "").split() for r in reviewers]
    )
    t2 = time.perf_counter()
    return Problem(
        panel=panel,
        apps=apps,
        reviewers=reviewers,
        need={a: max(0, k - per_app[a]) for a in apps},
        capacity={r: max(0, cap - per_rev[r]) for r in reviewers},
        minimum=panel.min_per_reviewer,
        institution=institution,
        blocked=blocked,
        taken_institutions=taken,
        existing=existing,
        scores=scores,
        timings={"load_s": t1 - t0, "affinity_s": t2 - t1},
    )


def _backfill_reviewer_tokens(reviewer_ids) -> None:
    missing = list(
        Reviewer.objects.filter(pk__in=reviewer_ids, expertise_tokens="").exclude(
            expertise="", expertise_text=""
        )
    )
    for r in missing:
        r.expertise_tokens = " ".join(affinity.reviewer_tokens(r.expertise, r.expertise_text))
    Reviewer.objects.bulk_update(missing, ["expertise_tokens"], batch_size=500)


def _pairs(p: Problem, *, candidates: int | None):
    """Eligible (app index, reviewer index) arcs: the best `candidates` per application, or every
    eligible pair (with the dense eligibility mask, which the explanation reads) when None."""
    n_apps, n_rev = p.scores.shape
    app_index = {a: i for i, a in enumerate(p.apps)}
    inst = np.array([p.institution.get(r) if p.institution.get(r) is not None else -1 for r in p.reviewers])
    width = int(inst.max(initial=0)) + 2
    zero_cap = np.array([p.capacity[r] == 0 for r in p.reviewers], dtype=bool)
    pairs = np.concatenate([p.blocked.reshape(-1, 2), np.array(sorted(p.existing), np.int64).reshape(-1, 2)])
    blocked = _pair_keys(np.array(p.apps, np.int64), np.array(p.reviewers, np.int64), pairs)
    taken = np.array(
        [
            app_index[a] * width + o + 1
            for a, orgs in p.taken_institutions.items()
            if a in app_index
            for o in orgs
        ],
        dtype=np.int64,
    )

    def eligible(rows, cols):
        ok = ~zero_cap[cols] & ~np.isin(rows.astype(np.int64) * n_rev + cols, blocked)
        if len(taken):
            ok &= ~np.isin(rows.astype(np.int64) * width + inst[cols] + 1, taken)
        return ok

    if candidates is None or candidates >= n_rev:
        rows, cols = np.indices((n_apps, n_rev)).reshape(2, -1)
        mask = eligible(rows, cols).reshape(n_apps, n_rev)
        rows, cols = np.nonzero(mask)
        return rows, cols, mask
    # A margin over `candidates` so that conflicts among the best still leave enough.
    wide = min(n_rev, candidates + 20)
    top = np.argpartition(-p.scores, wide - 1, axis=1)[:, :wide]
    rows, cols = np.repeat(np.arange(n_apps), wide), top.ravel()
    keep = eligible(rows, cols)
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((-p.scores[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    best = rank < candidates
    return rows[best], cols[best], None


def _pair_keys(apps: np.ndarray, reviewers: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """row × n_reviewers + column of each (application, reviewer) id pair among the sorted ids
    `apps` and `reviewers`; pairs outside them are left out."""
    if not len(pairs) or not len(apps) or not len(reviewers):
        return np.zeros(0, np.int64)
    i = np.minimum(np.searchsorted(apps, pairs[:, 0]), len(apps) - 1)
    j = np.minimum(np.searchsorted(reviewers, pairs[:, 1]), len(reviewers) - 1)
    known = (apps[i] == pairs[:, 0]) & (reviewers[j] == pairs[:, 1])
    return i[known].astype(np.int64) * len(reviewers) + j[known]


def _network(p: Problem, rows, cols):
    """Arrays (tails, heads, capacities, costs), node ids and the supply, for OR-Tools."""
    n_apps, n_rev = len(p.apps), len(p.reviewers)
    source, sink = 0, 1
    rev0 = 2
    app0 = rev0 + n_rev
    # (application, institution) group nodes, one per distinct pair among the arcs.
    inst = np.array([p.institution.get(r) if p.institution.get(r) is not None else -1 for r in p.reviewers])
    group_key = rows.astype(np.int64) * (inst.max(initial=0) + 2) + (inst[cols] + 1)
    # Reviewers without an institution get their own group (no sharing constraint among them).
    solo = inst[cols] == -1
    group_key = np.where(solo, -(rows.astype(np.int64) * n_rev + cols) - 1, group_key)
    uniq, group_of = np.unique(group_key, return_inverse=True)
    group0 = app0 + n_apps
    group_app = np.zeros(len(uniq), dtype=np.int64)
    group_app[group_of] = rows
    tails, heads, caps, costs = [], [], [], []
    for j, r in enumerate(p.reviewers):
        first = min(p.minimum, p.capacity[r])
        if first:
            tails.append(source), heads.append(rev0 + j), caps.append(first), costs.append(-MIN_BONUS)
        if p.capacity[r] - first:
            tails.append(source), heads.append(rev0 + j), caps.append(p.capacity[r] - first), costs.append(0)
    base = [
        np.array(tails, dtype=np.int64),
        np.array(heads, dtype=np.int64),
        np.array(caps, dtype=np.int64),
        np.array(costs, dtype=np.int64),
    ]
    pair_cost = -np.round(p.scores[rows, cols] * SCALE).astype(np.int64)
    parts = [
        base,
        [
            rev0 + cols.astype(np.int64),
            group0 + group_of.astype(np.int64),
            np.ones(len(rows), np.int64),
            pair_cost,
        ],
        [
            group0 + np.arange(len(uniq), dtype=np.int64),
            app0 + group_app,
            np.ones(len(uniq), np.int64),
            np.zeros(len(uniq), np.int64),
        ],
        [
            app0 + np.arange(n_apps, dtype=np.int64),
            np.full(n_apps, sink, np.int64),
            np.array([p.need[a] for a in p.apps], np.int64),
            np.zeros(n_apps, np.int64),
        ],
    ]
    arrays = [np.concatenate([part[i] for part in parts]) for i in range(4)]
    n_pair_arcs = len(rows)
    pair_arc0 = len(base[0])
    return arrays, {
        "source": source,
        "sink": sink,
        "rev0": rev0,
        "app0": app0,
        "pair_arc0": pair_arc0,
        "n_pair_arcs": n_pair_arcs,
    }


def solve(p: Problem) -> dict:
    """{"pairs": [[application, reviewer, affinity], ...]} or {"infeasible": explanation}."""
    from ortools.graph.python import max_flow, min_cost_flow

    t0 = time.perf_counter()
    total = sum(p.need.values())
    if total == 0:
        return {"pairs": [], "solver_s": 0.0}
    # One pass: the max flow with the least cost. Short of k × N with the best candidates only,
    # the full pair set decides; still short, a max flow's min cut explains it.
    for candidates in (CANDIDATES, None):
        rows, cols, mask = _pairs(p, candidates=candidates)
        (tails, heads, caps, costs), ids = _network(p, rows, cols)
        mcf = min_cost_flow.SimpleMinCostFlow()
        arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(int(max(tails.max(), heads.max())) + 1, dtype=np.int64)
        supplies[ids["source"]], supplies[ids["sink"]] = total, -total
        mcf.set_nodes_supplies(np.arange(len(supplies)), supplies)
        status = mcf.solve_max_flow_with_min_cost()
        if status == mcf.OPTIMAL and mcf.maximum_flow() == total:
            break
    else:
        mf = max_flow.SimpleMaxFlow()
        mf.add_arcs_with_capacity(tails, heads, caps)
        mf.solve(ids["source"], ids["sink"])
        return {"infeasible": explain(p, mask, mf, ids), "solver_s": time.perf_counter() - t0}
    first = ids["pair_arc0"]
    flows = mcf.flows(arcs[first : first + ids["n_pair_arcs"]])
    chosen = np.nonzero(flows)[0]
    pairs = [
        [p.apps[int(rows[i])], p.reviewers[int(cols[i])], round(float(p.scores[rows[i], cols[i]]), 4)]
        for i in chosen
    ]
    return {"pairs": pairs, "solver_s": time.perf_counter() - t0}


def explain(p: Problem, mask, mf, ids) -> dict:
    """Why no assignment exists: capacity, applications lacking eligible reviewers, a Hall group."""
    k_total = sum(p.need.values())
    capacity = sum(p.capacity.values())
    out: dict = {"needed": k_total, "capacity": capacity, "capacity_short": max(0, k_total - capacity)}
    eligible = mask.sum(axis=1)
    conflicts = defaultdict(list)
    lacking_ids = [a for i, a in enumerate(p.apps) if eligible[i] < p.need[a]]
    # Only conflicts that still block (a waived one removed nobody).
    blocking = selectors.blocking_conflicts(p.panel.pk)
    for a, r, kind in blocking.filter(application__in=lacking_ids[:200]).values_list(
        "application_id", "reviewer_id", "kind"
    ):
        conflicts[a].append({"reviewer": r, "reason": kind})
    out["lacking"] = [
        {
            "application": a,
            "eligible": int(eligible[p.apps.index(a)]),
            "needed": p.need[a],
            "removed": conflicts[a],
        }
        for a in lacking_ids[:200]
    ]
    # The sink side of the min cut: applications whose unmet demand no augmenting path reaches,
    # with the reviewers they can still reach. Their need exceeds those reviewers' capacity.
    sink_side = set(mf.get_sink_side_min_cut())
    group = [a for i, a in enumerate(p.apps) if ids["app0"] + i in sink_side and p.need[a] > 0]
    reviewers = [r for j, r in enumerate(p.reviewers) if ids["rev0"] + j in sink_side]
    if group:
        out["hall"] = {
            "applications": group[:500],
            "size": len(group),
            "need": sum(p.need[a] for a in group),
            "reviewers": reviewers[:500],
            "reviewer_capacity": sum(p.capacity[r] for r in reviewers),
            "flow": int(mf.optimal_flow()),
        }
    return out
