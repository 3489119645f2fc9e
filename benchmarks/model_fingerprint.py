"""Bit-for-bit fingerprint of the platform model over many configurations.

A refactor of the model or its engine must not change any result. This script runs small
models over a grid of configurations (every exposure policy, every creator strategy, live
streams and local merchants on and off, campaign channels, homophily off, a Barabási–Albert
network) and hashes, per configuration, every table a run produces, every array the model
holds at the end, and the final state of every random stream::

    python benchmarks/model_fingerprint.py --save before.json      # on the old commit
    python benchmarks/model_fingerprint.py --compare before.json   # on the new one
    python benchmarks/model_fingerprint.py --compare before.json --new user_tier lower_tier_sales_share  # added on purpose

``--compare`` prints each configuration whose fingerprint differs (and which part: tables,
state or streams) and exits non-zero if any does.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from diffusion import config as config_module
from diffusion.config import Config
from diffusion.runner import RunSpec, model_arguments, society_for_run
from diffusion.rng import replicate_streams

POLICIES = ("baseline", "centralized", "popularity", "decentralized", "inclusive", "peer_only")
STRATEGIES = ("organic", "big_brings_small", "gifting", "paid_traffic", "mcn_matrix", "rural_leader")


def configurations() -> dict[str, dict]:
    """Name -> grid point (dotted keys) of every configuration fingerprinted (28 in all)."""
    grid: dict[str, dict] = {}
    for policy in POLICIES:
        grid[f"policy={policy}"] = {"platform": policy}
        grid[f"policy={policy},streams"] = {"platform": policy, "platform.p_stream": 0.2, "platform.merchant_share": 0.2}
    for strategy in STRATEGIES:
        grid[f"strategy={strategy}"] = {"platform": "decentralized", "strategy": strategy, "platform.p_stream": 0.2}
    grid["subsidy"] = {"platform": "inclusive", "platform.policy.subsidy_share": 0.1, "platform.p_stream": 0.2}
    grid["campaign_everywhere"] = {"campaign.in_same_city": True, "campaign.in_discovery": True}
    grid["no_homophily"] = {"behaviour.share_homophily": 0.0}
    grid["same_city_trust"] = {"behaviour.same_city_trust_bonus": 0.45, "platform.p_stream": 0.2,
                               "platform.merchant_share": 0.2}
    grid["barabasi_albert"] = {"network.kind": "barabasi_albert"}
    grid["newcomers"] = {"network.newcomer_share": 0.3, "platform": "decentralized"}
    grid["unannounced_streams"] = {"platform.p_stream": 0.2, "platform.announce_share": 0.0}
    grid["large_feed"] = {"platform.feed_size": 16}
    grid["reinforcement_3"] = {"behaviour.reinforcement": 3}
    grid["many_weak_ties"] = {"network.weak_tie_share": 0.5}
    return grid


def fingerprint(point: dict, *, n_users: int = 1500, n_steps: int = 12, seed: int = 11) -> dict[str, str]:
    """Hashes of one configuration's tables, final model state and final stream states."""
    from diffusion.runner import simulate

    config = Config(seed=seed)
    config.network.n_users = n_users
    config.network.creator_share = 0.1
    config.run = dataclasses.replace(config.run, n_steps=n_steps, n_replicates=1)
    spec = RunSpec(index=0, point=point, replicate=0)
    result = simulate(config, spec)
    tables = hashlib.sha256()
    for name in ("trajectories", "outcomes", "cascades", "creators"):
        frame = getattr(result, name)
        frame = frame.drop(columns=[c for c in SKIP_STATE if c in frame.columns])
        tables.update(name.encode())
        tables.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        tables.update(",".join(frame.columns).encode())
    # The model's final state and streams: rerun the model alone (simulate releases it).
    settings = config_module.apply_point(config, point)
    streams = replicate_streams(config.seed, 0)
    from diffusion.model import PlatformModel

    model = PlatformModel(society_for_run(settings, config.seed, 0), **model_arguments(settings, streams))
    for _ in range(n_steps):
        model.step()
    model.finish()
    state = hashlib.sha256()
    for name in sorted(set(vars(model)) - set(SKIP_STATE)):
        value = getattr(model, name)
        if isinstance(value, np.ndarray):
            state.update(name.encode())
            state.update(np.ascontiguousarray(value).tobytes())
    for table in ("exposures", "relations"):
        pairs = getattr(model, table)
        state.update(np.ascontiguousarray(pairs.keys).tobytes())
        for column in sorted(pairs.columns):
            state.update(np.ascontiguousarray(pairs[column]).tobytes())
    rngs = hashlib.sha256(json.dumps(
        {name: getattr(model, name).bit_generator.state for name in
         ("rng", "platform_rng", "content_rng", "layout_rng", "strategy_rng")}, sort_keys=True, default=str,
    ).encode())
    return {"tables": tables.hexdigest(), "state": state.hexdigest(), "streams": rngs.hexdigest()}


#: Model arrays and table columns left out of the hashes (``--new``): what a change adds on
#: purpose, which the saved fingerprints of the old commit cannot contain.
SKIP_STATE: list[str] = []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the fingerprints here")
    group.add_argument("--compare", type=Path, help="compare with fingerprints saved earlier")
    parser.add_argument("--new", nargs="*", default=[], metavar="NAME",
                        help="model arrays or table columns a change adds on purpose: left out of the hashes")
    args = parser.parse_args(argv)
    SKIP_STATE[:] = args.new
    prints = {}
    for name, point in configurations().items():
        prints[name] = fingerprint(point)
        print(f"{name}: {prints[name]['tables'][:12]}", file=sys.stderr)
    if args.save:
        args.save.write_text(json.dumps(prints, indent=1))
        print(f"{len(prints)} configurations fingerprinted: {args.save}")
        return 0
    saved = json.loads(args.compare.read_text())
    differ = [f"{name}: {part}" for name in saved for part in ("tables", "state", "streams")
              if prints.get(name, {}).get(part) != saved[name][part]]
    print("\n".join(differ) if differ else f"all {len(saved)} configurations identical (tables, state, streams)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
