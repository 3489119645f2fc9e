"""The compiled engine: array machinery that applies :mod:`diffusion.rules` to a whole day.

Nothing here decides *what* happens; :mod:`diffusion.rules` does, one named function per rule.
The engine decides only *how fast*:

- :mod:`diffusion.engine.pairs`: a sorted, array-backed table keyed by pairs of integers (who
  has seen which item, what each user thinks of each creator), with batched compiled lookups
  and inserts. It sits in the bottom layer because the networks' pair searches use it too.
- :mod:`diffusion.engine.reactions`: the day's passes over (item, user) pairs: group the
  exposures, decide (views, then purchases; they change nothing), commit the exposure table's
  rows and tally the counters. They take named records of arrays (``Pairs``, ``Views``, ...),
  never long positional lists, and the rules' parameters as a named record.

:meth:`diffusion.agents.User.react` applies the same rules one exposure at a time and gives
identical results (``tests/test_rules.py``): read it first, then this package.
"""
