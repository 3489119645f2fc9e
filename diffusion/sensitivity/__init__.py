"""Global sensitivity analysis of an experiment's verdicts over the plausible parameter space
(issue 20).

``python -m diffusion +experiment=NAME +sensitivity=morris`` screens every ranged parameter
(:func:`diffusion.config.plausible_space`, declared beside each default in
:mod:`diffusion.params` and :mod:`diffusion.config`) with Morris elementary effects;
``+sensitivity=sobol`` decomposes the variance over the top factors of a screening (or those
listed) with Saltelli's design. SALib draws the designs and computes the indices.

Each sampled point is a grid point of the experiment (``sample`` column), crossed with its sweep
and run on the same paired replicates by :func:`diffusion.runner.execute`: joblib or Dask,
resume after a kill, atomic per-run writes and the progress bar work as for any experiment. The
experiment's own effect functions and the one verdict rule (:func:`diffusion.analysis.judge`)
then give, per sampled point, every claim part's effect and verdict, from which come the indices
(mu*, sigma; S1, ST with 95% intervals) and each claim's verdict robustness: the share of sampled
points whose verdict equals the verdict at the defaults, and the factors whose move alone flips
it.

Modules: :mod:`~diffusion.sensitivity.design` (designs, indices and robustness on any space of
ranged factors: pure functions, tested on the Ishigami function) and
:mod:`~diffusion.sensitivity.experiment` (the experiment's design, per-point verdicts, tables,
figures and report).
"""

from diffusion.sensitivity.design import METHODS, Design, indices, robustness, sample
from diffusion.sensitivity.experiment import analyse_run, prepare

__all__ = ["METHODS", "Design", "analyse_run", "indices", "prepare", "robustness", "sample"]
