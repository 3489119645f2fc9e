"""Replication check (slow): rerun each experiment with another root seed and fewer replicates,
and compare every effect with the committed reference result (``experiments/NAME/reference``).

Same network size, days and design as the reference, so both estimate the same quantities; the
tolerance comes from the two runs' sampling errors (standard errors recovered from the 95% t
intervals), not from trial and error (:func:`diffusion.compare.compare`). An effect whose
reference interval excludes zero must come out within 4 combined standard errors of the
reference, and with the same sign when the reference lies more than 4 combined standard errors
from zero. Run with ``pytest -m slow``;
regenerate references with ``python experiments/make_references.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from diffusion import compare as compare_module
from diffusion.compare import compare

REPO = Path(__file__).resolve().parents[1]
REFERENCED = sorted(p.parent.parent.name for p in (REPO / "experiments").glob("*/reference/effects.csv"))
#: Root seed of the rerun (the references use the default, 2021).
SEED = 7


def reduced_replicates(name: str) -> int:
    """About a quarter of the reference's replicates, a multiple of its worlds, at least 4."""
    conf = REPO / "conf"
    experiment = OmegaConf.load(conf / "experiment" / f"{name}.yaml")
    scale = next((d["override /scale"] for d in experiment.get("defaults", []) if "override /scale" in d), "paper")
    run = OmegaConf.load(conf / "scale" / f"{scale}.yaml").get("run", {})
    replicates, worlds = int(run.get("n_replicates", 20)), int(run.get("worlds", 1))
    return max(4, worlds * 2, (replicates // 4) // worlds * worlds)


def test_compare_flags_a_shifted_effect():
    reference = pd.DataFrame({"claim": ["X"], "description": ["d"], "estimate": [1.0], "ci_low": [0.8],
                              "ci_high": [1.2], "n": [20]})
    assert compare(reference, reference) == []
    shifted = reference.assign(estimate=-1.0, ci_low=-1.2, ci_high=-0.8)
    assert compare(reference, shifted) and "size differs" in compare(reference, shifted)[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", REFERENCED)
def test_rerun_agrees_with_the_committed_reference(name, tmp_path):
    out = tmp_path / name
    done = subprocess.run(
        [sys.executable, "-m", "diffusion", f"+experiment={name}", f"seed={SEED}",
         f"run.n_replicates={reduced_replicates(name)}", "run.progress=false", f"hydra.run.dir={out}"],
        capture_output=True, text=True, timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    reference = pd.read_csv(REPO / "experiments" / name / "reference" / "effects.csv")
    rerun = pd.read_csv(out / "effects.csv")
    assert set(reference["claim"]) == set(rerun["claim"])
    problems = compare(reference, rerun)
    assert not problems, "\n".join(problems)
    assert compare_module.main([str(out)]) in (0, 1)  # the reference and the rerun are comparable


def _fake_run(folder, effects: pd.DataFrame, *, experiment: str = "weak_ties", seed: int = 2021):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".hydra").mkdir(exist_ok=True)
    config = {"seed": seed, "run": {"n_replicates": 3, "n_steps": 5, "progress": False}, "experiment": {"name": experiment}}
    (folder / ".hydra" / "config.yaml").write_text(OmegaConf.to_yaml(config))
    (folder / "provenance.json").write_text(json.dumps({"experiment": experiment, "config_hash": str(seed),
                                                        "command": f"python -m diffusion +experiment={experiment}"}))
    effects.to_csv(folder / "effects.csv", index=False)
    return folder


def _fake_reference(folder, effects: pd.DataFrame, run_dir, *, experiment: str = "weak_ties"):
    folder.mkdir(parents=True)
    resolved = OmegaConf.to_container(OmegaConf.load(run_dir / ".hydra" / "config.yaml"), resolve=True)
    (folder / "run.json").write_text(json.dumps({"experiment": experiment, "config_hash": "x",
                                                 "estimand_hash": compare_module.estimand_hash(resolved)}))
    effects.to_csv(folder / "effects.csv", index=False)
    return folder


EFFECTS = pd.DataFrame({
    "claim": ["W3", "W3"], "role": ["part", "extra"], "part": ["homophily", ""], "description": ["a", "b"],
    "estimate": [0.01, 1.0], "ci_low": [0.008, 0.5], "ci_high": [0.012, 1.5], "n": [20, 20], "direction": [1, None],
    "sesoi": [0.001, None], "verdict": ["supported", ""], "claim_verdict": ["supported"] * 2, "origin": ["emergent"] * 2,
})


def test_compare_command_agrees_and_differs(tmp_path, capsys):
    run = _fake_run(tmp_path / "run", EFFECTS.assign(estimate=[0.0105, 1.1]), seed=7)  # another seed: same estimand
    reference = _fake_reference(tmp_path / "ref", EFFECTS, run)
    assert compare_module.main([str(run), "--reference", str(reference)]) == 0
    out = capsys.readouterr().out
    assert "agree" in out and "+0.01" in out and "+0.0105" in out
    differing = _fake_run(tmp_path / "run2", EFFECTS.assign(verdict=["inconclusive", ""], claim_verdict="inconclusive"))
    assert compare_module.main([str(differing), "--reference", str(reference)]) == 1
    assert "DIFFER" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["not a run", "another experiment", "another configuration"])
def test_compare_refuses_bad_input_in_one_line(tmp_path, capsys, case):
    run = _fake_run(tmp_path / "run", EFFECTS)
    reference = _fake_reference(tmp_path / "ref", EFFECTS, run)
    if case == "not a run":
        target = tmp_path / "empty"
        target.mkdir()
    elif case == "another experiment":
        target = _fake_run(tmp_path / "other", EFFECTS, experiment="gatekeeping")
    else:
        target = run
        config = run / ".hydra" / "config.yaml"
        config.write_text(config.read_text().replace("n_steps: 5", "n_steps: 6"))
    before = sorted(p for p in tmp_path.rglob("*"))
    assert compare_module.main([str(target), "--reference", str(reference)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert sorted(p for p in tmp_path.rglob("*")) == before  # writes nothing
