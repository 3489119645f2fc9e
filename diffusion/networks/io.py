"""Load a user's own network from CSV, GraphML or a plain edge list, with clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

import igraph as ig
import numpy as np

from diffusion.errors import NetworkFileError

EDGE_LIST_SUFFIXES = (".txt", ".edges", ".edgelist", ".el")
FIX_CLEAN = (
    "set network.clean=true on the command line (clean=True in Python) to drop self-loops and "
    "merge duplicate edges (keeping the largest weight)"
)


def load_network(path: str | Path, *, format: str | None = None, directed: bool = False, clean: bool = False) -> ig.Graph:
    """Read a graph; every vertex gets a ``name`` (its label in the file) and edges a ``weight``.

    Parameters
    ----------
    path : str or Path
        A CSV with header ``source,target[,weight]``, a GraphML file, or a whitespace edge list
        (``source target [weight]`` per line, ``#`` comments).
    format : {"csv", "graphml", "edgelist"}, optional
        Inferred from the suffix when omitted.
    directed : bool
        Read edges as directed.
    clean : bool
        Drop self-loops and merge duplicate edges (largest weight kept) instead of failing.

    Raises
    ------
    NetworkFileError
        Naming the file, the line and the fix, for a missing or empty file, missing columns,
        non-numeric or negative weights, self-loops or duplicate edges.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkFileError(f"network file {path} does not exist. Check the path (network.path=...).")
    kind = format or _infer_format(path)
    if kind == "graphml":
        try:
            graph = ig.Graph.Read_GraphML(str(path))
        except Exception as error:  # igraph raises InternalError with C-level text
            raise NetworkFileError(f"network file {path} is not valid GraphML ({error}).") from None
        if "weight" not in graph.es.attributes():
            graph.es["weight"] = 1.0
        if "name" not in graph.vs.attributes():
            graph.vs["name"] = [str(i) for i in range(graph.vcount())]
        rows = [(e.source, e.target, float(e["weight"]), None) for e in graph.es]
        labels = list(graph.vs["name"])
        return _build(path, labels, rows, directed=graph.is_directed(), clean=clean)
    try:
        if kind == "csv":
            rows, labels = _read_csv(path)
        elif kind == "edgelist":
            rows, labels = _read_edge_list(path)
        else:
            raise NetworkFileError(f"network file {path}: unknown format {kind!r}; use csv, graphml or edgelist.")
    except UnicodeDecodeError as error:
        raise NetworkFileError(
            f"network file {path} is not a UTF-8 text file (byte {error.start} cannot be read as text), so it "
            f"cannot be read as {kind}. Give a CSV with a source,target[,weight] header, a GraphML file, or "
            "an edge list of 'source target [weight]' lines."
        ) from None
    return _build(path, labels, rows, directed=directed, clean=clean)


def _infer_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".graphml":
        return "graphml"
    if suffix in EDGE_LIST_SUFFIXES:
        return "edgelist"
    raise NetworkFileError(
        f"network file {path}: cannot tell the format from the suffix {suffix!r}. Use .csv, "
        f".graphml or one of {', '.join(EDGE_LIST_SUFFIXES)}, or pass format=..."
    )


def _weight(path: Path, line: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise NetworkFileError(f"network file {path}, line {line}: weight {text!r} is not a number. Weights must be non-negative numbers.") from None
    if not np.isfinite(value) or value < 0:
        raise NetworkFileError(f"network file {path}, line {line}: weight {text!r} is negative or not finite. Weights must be non-negative numbers.")
    return value


def _read_csv(path: Path):
    labels: dict[str, int] = {}
    rows = []
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise NetworkFileError(f"network file {path} is empty. A CSV network needs a header line source,target[,weight] and one edge per line.")
        header = [h.strip().lower() for h in header]
        if header[:2] != ["source", "target"]:
            raise NetworkFileError(f"network file {path}, line 1: the header is {','.join(header)!r}; it must start with source,target (optionally ,weight).")
        has_weight = len(header) >= 3 and header[2] == "weight"
        for line, record in enumerate(reader, start=2):
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) < 2 or (has_weight and len(record) < 3):
                raise NetworkFileError(f"network file {path}, line {line}: expected {len(header)} columns ({','.join(header)}), found {len(record)}.")
            weight = _weight(path, line, record[2].strip()) if has_weight else 1.0
            rows.append((labels.setdefault(record[0].strip(), len(labels)), labels.setdefault(record[1].strip(), len(labels)), weight, line))
    if not rows:
        raise NetworkFileError(f"network file {path} has a header but no edges.")
    return rows, list(labels)


def _read_edge_list(path: Path):
    labels: dict[str, int] = {}
    rows = []
    for line, text in enumerate(path.read_text().splitlines(), start=1):
        text = text.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) not in (2, 3):
            raise NetworkFileError(f"network file {path}, line {line}: expected 'source target [weight]', found {len(parts)} fields.")
        weight = _weight(path, line, parts[2]) if len(parts) == 3 else 1.0
        rows.append((labels.setdefault(parts[0], len(labels)), labels.setdefault(parts[1], len(labels)), weight, line))
    if not rows:
        raise NetworkFileError(f"network file {path} is empty: an edge list needs one 'source target [weight]' per line.")
    return rows, list(labels)


def _build(path: Path, labels: list[str], rows, *, directed: bool, clean: bool) -> ig.Graph:
    best: dict[tuple[int, int], float] = {}
    for source, target, weight, line in rows:
        where = f", line {line}" if line is not None else ""
        if source == target:
            if clean:
                continue
            raise NetworkFileError(f"network file {path}{where}: self-loop on {labels[source]!r}; {FIX_CLEAN}.")
        key = (source, target) if directed else (min(source, target), max(source, target))
        if key in best:
            if not clean:
                raise NetworkFileError(f"network file {path}{where}: duplicate edge {labels[source]!r}-{labels[target]!r}; {FIX_CLEAN}.")
            best[key] = max(best[key], weight)
        else:
            best[key] = weight
    graph = ig.Graph(n=len(labels), edges=list(best), directed=directed)
    graph.vs["name"] = labels
    graph.es["weight"] = list(best.values())
    return graph
