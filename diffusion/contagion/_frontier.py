"""Gathering the CSR entries of a set of nodes, and sampling among them: the vectorised steps
every kernel shares."""

from __future__ import annotations

import functools

import numpy as np

from diffusion.networks.csr import CSR

#: Below this success probability :func:`bernoulli_positions` draws the gaps between successes
#: (about p x n geometric draws) instead of one uniform per trial (n draws and an n-long index).
GAP_SAMPLING_BELOW = 0.5


def frontier_degrees(csr: CSR, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First CSR position and number of entries of each node in ``nodes``."""
    start = csr.indptr[nodes]
    return start, csr.indptr[nodes + 1] - start


def entries_of(start: np.ndarray, degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All CSR positions in the runs ``[start[i], start[i] + degree[i])`` and the run of each.

    ``entries = repeat(start - first, d) + arange(sum d)`` with ``first = cumsum(d) - d``.
    O(len(start) + sum d).
    """
    total = int(degree.sum())
    owner = np.repeat(np.arange(start.size, dtype=np.int64), degree)
    first = np.cumsum(degree) - degree
    entries = np.repeat(start - first, degree) + np.arange(total, dtype=np.int64)
    return entries, owner


def neighbour_entries(csr: CSR, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All CSR entries out of ``nodes`` (repeats allowed), without a Python loop.

    Returns
    -------
    entries : numpy.ndarray of int64
        Positions in ``csr.indices`` / ``csr.edge_ids``.
    owner : numpy.ndarray of int64
        For each entry, the position in ``nodes`` of the node it leaves from.

    Notes
    -----
    With ``d`` the degrees of ``nodes``: ``entries = repeat(start, d) + (arange(sum d) -
    repeat(cumsum(d) - d, d))``. O(len(nodes) + sum d).
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    return entries_of(*frontier_degrees(csr, nodes))


def bernoulli_positions(n_trials: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of the successes among ``n_trials`` independent Bernoulli(p) trials.

    Notes
    -----
    The gaps between consecutive successes of a Bernoulli process are independent and
    geometric (support 1, 2, ...), so the positions are ``cumsum(gaps) - 1`` cut at
    ``n_trials``: about ``p n`` draws instead of ``n``, and no array of length ``n``. A batch
    of ``p n + 6 sqrt(p n) + 16`` gaps is drawn; in the rare case it falls short of
    ``n_trials``, another batch continues it. The result has exactly the law of
    ``flatnonzero(rng.random(n) < p)`` (``tests/test_contagion_properties.py`` checks the
    success frequency).
    """
    if n_trials <= 0 or p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n_trials, dtype=np.int64)
    expected = n_trials * p
    batch = int(expected + 6.0 * (expected**0.5) + 16.0)
    # (array methods rather than np.* wrappers: this runs once per step, often on tiny arrays)
    positions = rng.geometric(p, size=batch).cumsum()
    while positions[-1] <= n_trials:
        positions = np.concatenate([positions, positions[-1] + rng.geometric(p, size=batch).cumsum()])
    positions -= 1
    return positions[: positions.searchsorted(n_trials)]


def first_arrivals(
    targets: np.ndarray, sources: np.ndarray, *, rng: np.random.Generator, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct targets and, for each, one of its sources chosen uniformly at random.

    Used when several nodes reach the same node in one step: the parent is drawn among them.

    Parameters
    ----------
    targets, sources : numpy.ndarray of int64
    rng : numpy.random.Generator
    scratch : numpy.ndarray of float64, optional
        An array of ``inf`` at least ``targets.max() + 1`` long, reused across calls by a
        kernel so that a step costs O(len(targets)) rather than O(n); it is left all ``inf``.

    Notes
    -----
    Each arrival gets a uniform random key; per target, the arrival with the smallest key wins
    (``np.minimum.at``). O(len(targets)) plus a scatter over the distinct targets, no sort;
    the result is ordered by first appearance in ``targets``. A single arrival draws nothing.
    """
    if targets.size <= 1:
        return targets, sources
    key = rng.random(targets.size)
    best = np.full(int(targets.max()) + 1, np.inf) if scratch is None else scratch
    np.minimum.at(best, targets, key)
    winner = key == best[targets]
    if scratch is not None:
        scratch[targets] = np.inf
    return targets[winner], sources[winner]


def percolate(
    csr: CSR, seeds: np.ndarray, p: float | np.ndarray, p_recover: float, rng: np.random.Generator,
    max_steps: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Run a discrete-time SIR / independent cascade to the end, in one compiled call.

    At every step each infected node tries each of its CSR entries once; an entry succeeds
    independently with probability ``p`` (scalar, or one value per CSR entry), and a
    susceptible target is infected at that step, with as parent one of the senders that
    reached it in the step, chosen uniformly. Then each infected node recovers with
    probability ``p_recover`` (an independent cascade is ``p_recover = 1``: one chance each).

    Returns
    -------
    infection, parent, recovery : numpy.ndarray of int64
        Step of infection (0 for seeds, -1 never), the infecting node (-1 for none) and the
        step of recovery (-1 never) of every node.
    n_trials : int
        Entries tried.

    Notes
    -----
    The rule of :func:`diffusion.contagion.transmit`, iterated in numba with ``rng`` itself
    (numba draws from a numpy Generator's bit stream, so a seed fixes the run). With a scalar
    ``p`` the successes among a step's entries are drawn as a Bernoulli process (geometric gaps,
    about p x entries draws, as :func:`bernoulli_positions`); per-entry probabilities take one
    uniform per entry. Several senders reaching one node in a step: reservoir sampling keeps
    the k-th with probability 1/k, a uniform choice. The infected are visited in increasing
    order, so neighbour lists are read in address order (the run is memory-bound at 10^6
    nodes). One compiled call instead of a dozen numpy calls per step is what makes small
    graphs fast (a cascade on 10^4 nodes is ~25 short steps).
    """
    n = csr.n_nodes
    infection = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    recovery = np.full(n, -1, dtype=np.int64)
    per_entry = np.ndim(p) > 0
    trials = _percolate_compiled()(
        csr.indptr, csr.indices, np.asarray(seeds, dtype=np.int64),
        0.0 if per_entry else float(p), np.asarray(p, dtype=np.float64) if per_entry else _NO_VALUES,
        float(p_recover), infection, parent, recovery, rng, -1 if max_steps is None else int(max_steps),
    )
    return infection, parent, recovery, int(trials)


_NO_VALUES = np.empty(0, dtype=np.float64)


@functools.cache
def _percolate_compiled():
    import numba

    @numba.njit(cache=True, nogil=True)
    def run(indptr, indices, seeds, p, p_entry, p_recover, infection, parent, recovery, rng, max_steps):
        n = infection.size
        per_entry = p_entry.size > 0
        arrivals = np.zeros(n, dtype=np.int64)  # senders of the step per node (read where infection == t)
        infected = seeds.copy()
        for v in seeds:
            infection[v] = 0
        fresh = np.empty(n, dtype=np.int64)
        # the step's successful entries and their senders (grown as needed, kept across steps)
        entry = np.empty(1024, dtype=np.int64)
        sender = np.empty(1024, dtype=np.int64)
        t, trials = 0, 0
        while infected.size > 0 and (max_steps < 0 or t < max_steps):
            t += 1
            # 1. the successes, from the senders in increasing order (address order)
            senders = np.sort(infected)
            m = 0
            position = rng.geometric(p) - 1 if not per_entry and p > 0.0 else 0
            first = 0  # position of the current sender's first entry among the step's entries
            for f in senders:
                start, degree = indptr[f], indptr[f + 1] - indptr[f]
                if m + degree > entry.size:  # at most one success per entry
                    # (grown inline: calling another jitted closure would make numba's cache
                    # key differ in every process, recompiling this function each time)
                    size = max(m + degree, 2 * entry.size)
                    entry_, sender_ = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
                    entry_[:m], sender_[:m] = entry[:m], sender[:m]
                    entry, sender = entry_, sender_
                if per_entry:
                    for e in range(start, start + degree):
                        entry[m], sender[m] = e, f
                        m += rng.random() < p_entry[e]
                elif p > 0.0:
                    # Bernoulli process over the concatenated entries: geometric gaps
                    while position < first + degree:
                        entry[m], sender[m] = start + position - first, f
                        m += 1
                        position += rng.geometric(p)
                first += degree
            trials += first
            # 2. settle: a susceptible target is infected now; the k-th sender of the step
            # to reach it becomes its parent with probability 1/k (a uniform choice)
            for i in range(m):  # targets first: independent reads the CPU can overlap
                entry[i] = indices[entry[i]]
            n_fresh = 0
            for i in range(m):
                v = entry[i]
                s = infection[v]
                if s < 0:
                    infection[v], parent[v], arrivals[v] = t, sender[i], 1
                    fresh[n_fresh] = v
                    n_fresh += 1
                elif s == t:
                    arrivals[v] += 1
                    if rng.random() * arrivals[v] < 1.0:
                        parent[v] = sender[i]
            # 3. recovery
            if p_recover >= 1.0:  # everyone recovers after one step: no draw needed
                for f in infected:
                    recovery[f] = t
                infected = fresh[:n_fresh].copy()
                continue
            staying = np.empty(infected.size + n_fresh, dtype=np.int64)
            n_staying = 0
            for f in infected:
                if rng.random() < p_recover:
                    recovery[f] = t
                else:
                    staying[n_staying] = f
                    n_staying += 1
            staying[n_staying: n_staying + n_fresh] = fresh[:n_fresh]
            infected = staying[: n_staying + n_fresh]
        return trials

    return run
