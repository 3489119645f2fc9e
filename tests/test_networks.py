"""The weak-tie society, file loading and tie classification."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffusion.errors import ConfigError, NetworkFileError
from diffusion.networks import csr_from_edges, edge_arrays, load_network, society_from_graph, to_csr, weak_tie_society
from diffusion.rng import igraph_rng
from diffusion.networks.ties import classify_ties_by_overlap, classify_ties_by_weight, neighbourhood_overlap


def build(seed=1, **kwargs):
    kwargs.setdefault("n_users", 3000)
    return weak_tie_society(rng=np.random.default_rng(seed), **kwargs)


def test_same_seed_same_society_and_different_seed_differs():
    a, b, c = build(3), build(3), build(4)
    assert np.array_equal(a.edge_source, b.edge_source) and np.array_equal(a.edge_weight, b.edge_weight)
    assert np.array_equal(a.follow_source, b.follow_source)
    assert not np.array_equal(a.edge_source, c.edge_source)


@pytest.mark.parametrize("share", [0.0, 0.1, 0.3, 0.6, 0.9])
def test_mean_degree_is_held_and_weak_share_is_realised(share):
    """The generator places exactly round(n k / 2) edges and round(share * that) weak ones."""
    society = build(n_users=4000, weak_tie_share=share)
    # Exact counts, no sampling error: 20,000 edges (mean degree 10.0 exactly) and
    # round(share x 20,000) weak ones, so the share is off by at most rounding, 0.5 / 20,000.
    assert society.csr.degree().sum() == 2 * 20_000
    assert abs(society.edge_weak.mean() - share) <= 0.5 / 20_000
    assert society.graph.is_simple()


def test_sweep_replicates_share_everything_but_the_ties():
    low, high = build(5, weak_tie_share=0.1), build(5, weak_tie_share=0.5)
    for name in ("circle", "city", "traits", "creators", "follow_source", "follow_target", "city_poor"):
        assert np.array_equal(getattr(low, name), getattr(high, name)), name


def test_without_weak_ties_every_component_lies_inside_one_circle():
    society = build(n_users=2000, weak_tie_share=0.0)
    membership = np.array(society.graph.connected_components().membership)
    for component in np.unique(membership):
        assert np.unique(society.circle[membership == component]).size == 1


def test_strong_ties_stay_inside_circles_and_are_stronger():
    society = build()
    strong = ~society.edge_weak
    assert np.all(society.circle[society.edge_source[strong]] == society.circle[society.edge_target[strong]])
    assert np.all(society.circle[society.edge_source[~strong]] != society.circle[society.edge_target[~strong]])
    assert society.edge_weight[strong].mean() > 3 * society.edge_weight[~strong].mean()
    assert np.all((society.edge_weight > 0) & (society.edge_weight <= 1))
    # A weak tie from user u picks a partner in u's city with probability w = 0.5, else anyone,
    # rejecting u's own circle. Per attempt from u (circle size a, city size b, n users) it is
    # kept and local with probability w (1 - a/b) + (1 - w)(b - a)/n, kept at all with
    # w (1 - a/b) + (1 - w)(1 - a/n); the expected local share is the ratio of their means over
    # users (0.619 here). Over m = 3,000 weak ties the binomial standard error is
    # sqrt(p (1 - p) / m) = 0.0089; tolerance K = 4 of them.
    w, n = 0.5, society.n_users
    a, b = np.bincount(society.circle)[society.circle], np.bincount(society.city)[society.city]
    expected = np.mean(w * (1 - a / b) + (1 - w) * (b - a) / n) / np.mean(w * (1 - a / b) + (1 - w) * (1 - a / n))
    same_city = society.edge_same_city[~strong]
    assert abs(same_city.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / same_city.size)


def test_homophily_makes_circle_mates_more_similar():
    """Tastes are a circle's centre (isotropic) plus noise, normalised. Across circles the two
    tastes are independent and symmetric, so E cos = 0 and the mean similarity (1 + cos)/2 is
    0.5; the similarities of two weak ties are uncorrelated even when they share a user (the
    other ends are independent and isotropic), so its standard error is sd / sqrt(m) (0.0045
    over m = 3,000). Circle mates share a centre: their mean similarity exceeds 0.5 by more
    than K = 4 standard errors of a mean over circles (ties of one circle are correlated, so
    the circle is the unit)."""
    society = build()
    strong = ~society.edge_weak
    within = society.similarity(society.edge_source[strong], society.edge_target[strong])
    across = society.similarity(society.edge_source[~strong], society.edge_target[~strong])
    assert abs(across.mean() - 0.5) < 4 * across.std(ddof=1) / np.sqrt(across.size)
    circle = society.circle[society.edge_source[strong]]
    per_circle = np.bincount(circle, weights=within)[np.unique(circle)] / np.bincount(circle)[np.unique(circle)]
    assert per_circle.mean() > 0.5 + 4 * per_circle.std(ddof=1) / np.sqrt(per_circle.size)


def test_follower_counts_span_four_orders_of_magnitude_at_100k_users():
    society = weak_tie_society(n_users=100_000, rng=np.random.default_rng(0))
    counts = society.follower_counts()[society.creators]
    assert counts.min() <= 10 and counts.max() >= 1e4 * counts.min()
    assert not np.any(society.follow_source == society.follow_target)
    keys = society.follow_source * society.n_users + society.follow_target
    assert np.unique(keys).size == keys.size
    assert np.all(np.isin(society.follow_target, society.creators))


def test_cities_have_tiers_and_poor_flags():
    society = build(n_users=20_000)
    assert set(np.unique(society.city_tier)) <= {1, 2, 3, 4, 5}
    # Exactly round(0.3 x cities) cities are drawn poor (no sampling error in the count).
    assert society.city_poor.sum() == round(0.3 * society.city_poor.size)


@pytest.mark.parametrize(
    "kwargs", [{"n_users": -5}, {"weak_tie_share": 1.7}, {"mean_degree": 0}, {"creator_share": 0}, {"circle_size_mean": 5}]
)
def test_bad_parameters_raise_config_errors(kwargs):
    with pytest.raises(ConfigError):
        build(**kwargs)


@pytest.mark.property
@settings(max_examples=25, deadline=None)
@given(n=st.integers(50, 600), share=st.floats(0, 0.9), seed=st.integers(0, 2**31))
def test_society_invariants(n, share, seed):
    society = weak_tie_society(n_users=n, weak_tie_share=share, rng=np.random.default_rng(seed))
    assert society.graph.is_simple()
    assert np.all(np.bincount(society.circle) >= 2)
    assert society.n_users == n
    assert society.creators.size >= 1
    assert np.all(society.follower_counts()[~np.isin(np.arange(n), society.creators)] == 0)


def test_society_from_any_graph():
    with igraph_rng(np.random.default_rng(0)):
        graph = ig.Graph.Barabasi(1000, 3)
    society = society_from_graph(graph, rng=np.random.default_rng(1))
    assert society.n_users == 1000 and society.graph.ecount() == graph.ecount()
    assert society.n_circles > 1 and society.creators.size == 20


def test_neighbourhood_overlap_on_a_constructed_graph():
    # Triangle 0-1-2 plus pendant 3 on 0: edge (0,1): common 1, k0-1 + k1-1 - 1 = 2 + 1 - 1 = 2 -> 0.5
    graph = ig.Graph(n=4, edges=[(0, 1), (1, 2), (0, 2), (0, 3)])
    overlap = neighbourhood_overlap(graph)
    assert overlap.tolist() == pytest.approx([0.5, 1.0, 0.5, 0.0])
    assert classify_ties_by_overlap(graph, threshold=0.4).tolist() == [False, False, False, True]
    graph.es["weight"] = [0.9, 0.8, 0.1, 0.2]
    assert classify_ties_by_weight(graph, threshold=0.5).tolist() == [False, False, True, True]


# ---------------------------------------------------------------- file loading
def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_loads_csv_with_labels_and_weights(tmp_path):
    graph = load_network(write(tmp_path, "g.csv", "source,target,weight\nann,bo,0.5\nbo,cy,2\n"))
    assert graph.vs["name"] == ["ann", "bo", "cy"] and graph.es["weight"] == [0.5, 2.0]


def test_loads_edge_lists_and_graphml(tmp_path):
    graph = load_network(write(tmp_path, "g.txt", "# comment\n1 2\n2 3 0.4\n"))
    assert graph.ecount() == 2
    ig.Graph.Ring(5).write_graphml(str(tmp_path / "ring.graphml"))
    assert load_network(tmp_path / "ring.graphml").ecount() == 5


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("empty.csv", "", "is empty"),
        ("cols.csv", "from,to\n1,2\n", "line 1"),
        ("nan.csv", "source,target,weight\n1,2,heavy\n", "line 2"),
        ("neg.csv", "source,target,weight\n1,2,0.3\n2,3,-1\n", "line 3"),
        ("loop.csv", "source,target\n1,1\n", "self-loop"),
        ("dup.csv", "source,target\n1,2\n2,1\n", "duplicate"),
        ("short.txt", "1 2\n3\n", "line 2"),
        ("g.xyz", "1 2\n", "suffix"),
    ],
)
def test_malformed_files_give_one_clear_error(tmp_path, name, text, fragment):
    path = write(tmp_path, name, text)
    with pytest.raises(NetworkFileError) as error:
        load_network(path)
    assert fragment in str(error.value) and str(path) in str(error.value)


def test_clean_drops_loops_and_merges_duplicates(tmp_path):
    path = write(tmp_path, "messy.csv", "source,target,weight\n1,1,1\n1,2,0.2\n2,1,0.7\n")
    graph = load_network(path, clean=True)
    assert graph.ecount() == 1 and graph.es["weight"] == [0.7]


def test_missing_file(tmp_path):
    with pytest.raises(NetworkFileError, match="does not exist"):
        load_network(tmp_path / "nope.csv")


# ---------------------------------------------------------------- classic baselines
def test_classic_generators_reproduce_known_statistics():
    from diffusion.networks import (
        barabasi_albert, configuration_model, erdos_renyi, stochastic_block_model, watts_strogatz,
    )

    rng = np.random.default_rng
    er = erdos_renyi(n_nodes=2000, mean_degree=6, rng=rng(0))
    assert er.ecount() == 6000
    assert erdos_renyi(n_nodes=2000, mean_degree=6, rng=rng(0)).get_edgelist() == er.get_edgelist()
    lattice = watts_strogatz(n_nodes=200, k=6, p_rewire=0.0, rng=rng(1))
    assert lattice.transitivity_avglocal_undirected() == pytest.approx(3 * 4 / (4 * 5))
    ba = barabasi_albert(n_nodes=3000, m=3, rng=rng(2))
    assert ba.ecount() == 3 * 2999 - 3 and ba.is_simple()
    degrees = rng(3).integers(1, 8, size=500)
    degrees[0] += degrees.sum() % 2
    assert configuration_model(degrees=degrees, rng=rng(4)).degree() == degrees.tolist()
    sbm = stochastic_block_model(block_sizes=[300, 300], pref_matrix=[[0.1, 0.0], [0.0, 0.1]], rng=rng(5))
    edges = np.array(sbm.get_edgelist())
    assert np.all((edges[:, 0] < 300) == (edges[:, 1] < 300))  # no edge between blocks
    within = len(edges) / (2 * 300 * 299 / 2)  # Binomial(89,700, 0.1): SE 0.001
    assert within == pytest.approx(0.1, abs=0.004)


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.watts_strogatz(n_nodes=10, k=3, p_rewire=0.1, rng=np.random.default_rng(0)),
        lambda g: g.configuration_model(degrees=[1, 1, 1], rng=np.random.default_rng(0)),
        lambda g: g.barabasi_albert(n_nodes=10, m=0, rng=np.random.default_rng(0)),
    ],
)
def test_classic_generators_reject_bad_arguments(call):
    import diffusion.networks as networks

    with pytest.raises(ConfigError):
        call(networks)


def _edgelist_columns(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=120),
    directed=st.booleans(),
    drop=st.lists(st.integers(0, 119), max_size=10),
)
def test_edge_arrays_equal_get_edgelist(n, edges, directed, drop):
    """The fast export (igraph's C edge list) gives exactly get_edgelist()'s columns, for
    directed and undirected graphs with loops, multi-edges, edges added one batch at a time
    (spare capacity in igraph's vectors) and edges deleted; and so the same CSR."""
    graph = ig.Graph(n=n, directed=directed)
    edges = [(s % n, t % n) for s, t in edges]
    graph.add_edges(edges[: len(edges) // 2])
    graph.add_edges(edges[len(edges) // 2:])
    graph.delete_edges(sorted({k for k in drop if k < graph.ecount()}))
    sources, targets = edge_arrays(graph)
    expected = _edgelist_columns(graph)
    assert sources.dtype == targets.dtype == np.int64
    np.testing.assert_array_equal(sources, expected[0])
    np.testing.assert_array_equal(targets, expected[1])
    csr = to_csr(graph)
    slow = csr_from_edges(n, *expected, directed=directed)
    for name in ("indptr", "indices", "edge_ids"):
        np.testing.assert_array_equal(getattr(csr, name), getattr(slow, name))


def test_edge_arrays_fall_back_to_get_edgelist_when_the_layout_does_not_check_out(monkeypatch):
    """If igraph's C layout ever differs (checked field by field), the export goes through
    get_edgelist() and gives the same arrays."""
    from diffusion.networks import csr as csr_module

    graph = ig.Graph.Barabasi(300, 3, directed=True)
    monkeypatch.setattr(csr_module, "_edge_columns_from_struct", lambda g: None)
    fallback = edge_arrays(graph)
    monkeypatch.undo()
    assert csr_module._edge_columns_from_struct(graph) is not None
    for got, want in zip(fallback, _edgelist_columns(graph)):
        np.testing.assert_array_equal(got, want)


def test_struct_export_refuses_a_graph_whose_fields_do_not_match(monkeypatch):
    """A vertex count that disagrees with vcount() (as a changed layout would read) is refused
    before any edge vector is read."""
    from diffusion.networks import csr as csr_module

    graph = ig.Graph.Ring(10)
    monkeypatch.setattr(ig.Graph, "vcount", lambda self: 11)
    assert csr_module._edge_columns_from_struct(graph) is None
