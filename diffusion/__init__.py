"""diffusion: agent-based simulation of content and purchase-intent spread on social networks.

The package turns the claims of a case study of the Kuaishou short-video platform
(see ``claims.md`` IDs W1-W4, D1-D5, P1-P8, S1-S5, R1-R5) into runnable experiments.

Layers, each importing only from the layers below it (``pyproject.toml`` declares them and
``tests/test_layers.py`` runs import-linter over them)::

    api                                          Python API: run_experiment, load_run
    cli | viz | collect | compare | claims_table entry points
    analyses                                     one analysis per experiment
    calibration
    analysis, plots, report, claims              effects, verdicts, figures, the report
    runner                                       grid x replicates, tidy tables
    config                                       typed configuration (Hydra-free)
    model, agents                                the Mesa platform model
    policies, strategies, engine.reactions, items  its parts: exposure, growth, the engine
    metrics                                      pure functions of arrays and model state
    contagion                                    classic kernels on CSR arrays
    networks                                     igraph networks, societies
    rules, params, engine.pairs, rng, provenance, errors, knockouts
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("diffusion")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "load_run", "run_experiment"]

#: Names imported from diffusion.api on first use, so ``import diffusion`` stays light (no
#: Hydra, pandas or numba at import time).
_API = {"run_experiment", "load_run", "Results"}


def __getattr__(name: str):
    if name in _API:
        from diffusion import api

        return getattr(api, name)
    raise AttributeError(f"module 'diffusion' has no attribute {name!r}")
