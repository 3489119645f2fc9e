"""The rules module, the compiled engine and the agents: one set of rules, the same results.

- The agents (:meth:`diffusion.agents.User.react`, one exposure at a time in plain Python) and
  the compiled engine (:mod:`diffusion.engine.reactions`) give *identical* models on the same draws:
  every table, every array of the model's state and every random stream at the end, across
  policies, strategies, live streams and settings (hypothesis over seeds and settings).
- Each rule's formula is written once, in :mod:`diffusion.rules`.
- An edit of ``rules.py`` takes effect in the compiled engine at once (numba's cache is
  keyed on the engine's file, so the engine keeps a stamp of both), as the README's
  "Change a rule" section promises; the test runs that section's edit.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffusion import config as config_module
from diffusion import rules
from diffusion.model import PlatformModel
from diffusion.networks import weak_tie_society
from diffusion.params import BehaviourParams, PlatformParams
from diffusion.engine.reactions import compiled

REPO = Path(__file__).resolve().parents[1]
POLICIES = ("baseline", "centralized", "popularity", "decentralized", "inclusive", "peer_only")
STRATEGIES = ("organic", "big_brings_small", "gifting", "paid_traffic", "mcn_matrix", "rural_leader")


def run_model(*, agents_decide: bool, seed: int, policy: str = "baseline", strategy: str | None = None,
              n_users: int = 500, n_steps: int = 8, platform: dict | None = None, behaviour: dict | None = None,
              users_per_city: float = 500.0):
    """A small model, built the same way every time from ``seed``; returns it after its days."""
    society = weak_tie_society(n_users=n_users, creator_share=0.1, users_per_city=users_per_city,
                               rng=np.random.default_rng(seed))
    streams = np.random.SeedSequence(seed).spawn(4)
    spec = dict(config_module._group_option("platform", policy)).get("policy")
    model = PlatformModel(
        society,
        platform=PlatformParams(**{"p_stream": 0.2, "merchant_share": 0.2, **(platform or {})}),
        behaviour=BehaviourParams(**(behaviour or {})),
        policy=config_module.build_policy(spec),
        strategy=None if strategy is None else config_module.build_strategy(config_module._group_option("strategy", strategy)),
        rng=np.random.default_rng(streams[0]), platform_rng=np.random.default_rng(streams[1]),
        content_rng=np.random.default_rng(streams[2]), strategy_rng=np.random.default_rng(streams[3]),
        agents_decide=agents_decide,
    )
    for _ in range(n_steps):
        model.step()
    return model


def state_of(model: PlatformModel) -> dict[str, str]:
    """Hashes of everything a run leaves: tables, every state array, the streams' states."""
    frames = {
        "trajectory": model.datacollector.get_model_vars_dataframe(),
        "creators": model.creators_table(),
        "cascades": model.finish(),
    }
    digest = {name: hashlib.sha256(pd.util.hash_pandas_object(f, index=False).to_numpy().tobytes()).hexdigest()
              for name, f in frames.items()}
    for name, value in sorted(vars(model).items()):
        if isinstance(value, np.ndarray):
            digest[name] = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
    for table in ("exposures", "relations"):
        pairs = getattr(model, table)
        digest[table] = hashlib.sha256(b"".join(
            np.ascontiguousarray(a).tobytes() for a in (pairs.keys, *(pairs[c] for c in sorted(pairs.columns)))
        )).hexdigest()
    for name in ("rng", "platform_rng", "content_rng", "strategy_rng"):
        digest[name] = repr(getattr(model, name).bit_generator.state)
    return digest


def assert_same(**kwargs) -> None:
    engine, agents = state_of(run_model(agents_decide=False, **kwargs)), state_of(run_model(agents_decide=True, **kwargs))
    differ = [name for name in engine if engine[name] != agents.get(name)]
    assert not differ, f"agents and engine differ in {differ}"
    assert engine["trajectory"] and int(run_model(agents_decide=False, **kwargs).items.purchases.sum()) > 0


@pytest.mark.parametrize("policy", POLICIES)
def test_agents_and_engine_agree_exactly_under_every_policy(policy):
    assert_same(seed=3, policy=policy)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_agents_and_engine_agree_exactly_under_every_strategy(strategy):
    assert_same(seed=4, policy="decentralized", strategy=strategy)


@pytest.mark.property
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    policy=st.sampled_from(POLICIES),
    p_stream=st.sampled_from([0.0, 0.3]),
    same_city_trust_bonus=st.sampled_from([0.0, 0.45]),
    reinforcement=st.integers(1, 3),
    share_homophily=st.floats(0.0, 1.0),
    price_elasticity=st.sampled_from([0.0, 1.5]),
)
def test_agents_and_engine_agree_exactly_over_seeds_and_settings(seed, policy, p_stream, same_city_trust_bonus,
                                                                  reinforcement, share_homophily, price_elasticity):
    assert_same(seed=seed, policy=policy, n_users=300, n_steps=6, platform={"p_stream": p_stream},
                behaviour={"same_city_trust_bonus": same_city_trust_bonus, "reinforcement": reinforcement,
                           "share_homophily": share_homophily, "price_elasticity": price_elasticity})


def test_agents_and_engine_agree_exactly_with_price_sensitive_buyers():
    """R5's rule (price acceptance by city tier) in both forms, with cities of every tier and
    lower-tier buyers meeting goods dearer than the reference price (so the rule bites)."""
    kwargs = dict(seed=5, policy="decentralized", behaviour={"price_elasticity": 2.0}, users_per_city=25.0)
    assert_same(**kwargs)
    model = run_model(agents_decide=False, **kwargs)
    assert set(np.unique(model.user_tier)) == {1, 2, 3, 4, 5}
    assert model.tier_price_exposures[2:, 0].sum() > 0, "no lower-tier buyer met a dear product"


def test_agents_decide_needs_the_agents():
    society = weak_tie_society(n_users=100, rng=np.random.default_rng(0))
    with pytest.raises(Exception, match="agents_decide=True needs the agents"):
        PlatformModel(society, rng=np.random.default_rng(1), platform_rng=np.random.default_rng(2),
                      create_agents=False, agents_decide=True)


# ----------------------------------------------------------------- each rule once
#: A fragment of each rule's formula (as written in rules.py) that no other module may repeat.
FORMULAS = {
    "like_probability": r"p_like \* appeal",
    "share_probability": r"p_share \* appeal",
    "follow_probability": r"p_follow \* appeal",
    "tie_reach_probability": r"1\.0 - h \+ h \*",
    "stranger_trust": r"trust_stranger \+",
    "trust_after_gains": r"\(1\.0 - gain\) \*\*",
    "trust_after_bad_purchases": r"1\.0 - \w*\.?trust_loss\) \*\*",
    "purchase_probability": r"p_buy \* appeal",
    "attend_probability": r"p_attend \*",
    "interact_probability": r"p_interact \* 2\.0",
    "is_trusted": r">= \w*\.?trust_threshold",
    "price_acceptance": r"price_elasticity \* \(tier - 1\)",
}


def code_of(path: Path) -> str:
    """A module's code without its strings and comments (docstrings may describe a rule)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return " ".join(t.string for t in tokens if t.type not in (tokenize.STRING, tokenize.COMMENT))


@pytest.mark.parametrize("rule", sorted(FORMULAS))
def test_each_rule_is_written_once(rule):
    assert re.search(FORMULAS[rule], inspect.getsource(getattr(rules, rule))), f"the pattern no longer finds {rule}"
    copies = [str(path.relative_to(REPO)) for path in (REPO / "diffusion").rglob("*.py")
              if path.name != "rules.py" and re.search(FORMULAS[rule], code_of(path))]
    assert not copies, f"{rule}'s formula is written again in {copies}: call diffusion.rules.{rule}"


def test_compiled_entry_points_take_few_named_arguments():
    engine = compiled()
    for name in ("trust", "decide_views", "decide_purchases", "commit_seen", "group_exposures", "tally"):
        parameters = inspect.signature(getattr(engine, name).py_func).parameters
        assert len(parameters) <= 9, f"{name} takes {len(parameters)} arguments"


def test_the_rules_read_parameters_by_name_from_a_record():
    record = BehaviourParams(p_like=0.5).record()
    assert record.p_like == 0.5 and record._fields == tuple(f for f in BehaviourParams.__dataclass_fields__)
    assert rules.like_probability(record, 0.4) == 0.5 * 0.4
    assert isinstance(record.reinforcement, int) and isinstance(BehaviourParams(p_buy=1).record().p_buy, float)


# ----------------------------------------------------------------- the README's "Change a rule"
def readme_rule_edit() -> tuple[str, str]:
    """The function the README's "Change a rule" section edits, and its new source."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"```python\n# diffusion/rules\.py, edited\n(.*?)```", text, flags=re.S)
    assert block, "README.md has no '# diffusion/rules.py, edited' block"
    source = block.group(1)
    (function,) = [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    return function, source


def test_the_readme_rule_edit_takes_effect_in_the_compiled_engine(tmp_path):
    """Copy the package, make the README's edit to rules.py in the copy, and run the same
    small model before and after, in fresh processes sharing one numba cache: the edit
    changes the result (the stale compiled code is not reused), and moves it the way the
    README says (fewer shares)."""
    function, new_source = readme_rule_edit()
    package = tmp_path / "src" / "diffusion"
    shutil.copytree(REPO / "diffusion", package, ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import numpy as np\n"
        "from diffusion.networks import weak_tie_society\n"
        "from diffusion.model import PlatformModel\n"
        "society = weak_tie_society(n_users=2000, rng=np.random.default_rng(5))\n"
        "model = PlatformModel(society, rng=np.random.default_rng(6), platform_rng=np.random.default_rng(7))\n"
        "for _ in range(10):\n    model.step()\n"
        "print(int(model.items.shares.sum()))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path / "src"), "NUMBA_CACHE_DIR": str(tmp_path / "cache")}

    def shares() -> int:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment,
                                cwd=tmp_path, timeout=600)
        assert result.returncode == 0, result.stderr
        return int(result.stdout.split()[-1])

    before = shares()
    rules_file = package / "rules.py"
    tree = ast.parse(rules_file.read_text())
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    lines = rules_file.read_text().splitlines(keepends=True)
    rules_file.write_text("".join(lines[: node.lineno - 1]) + new_source + "".join(lines[node.end_lineno:]))
    after = shares()
    assert after < before, (before, after)
