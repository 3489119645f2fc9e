"""An independent cascade written the way Mesa's ``virus_on_network`` example is written.

The peer for ``benchmarks/compare.py``: one Mesa 3 agent per node with a state Enum, one Python
``step`` per agent per tick, neighbours looked up through Python objects. It answers "what does
the same rule cost as an idiomatic agent-based model?", not "how fast can Mesa go".

Usage::

    from mesa_style import CascadeModel
    model = CascadeModel(adjacency, p_transmit=0.1, rng=1)   # adjacency: list of neighbour lists
    model.infect([0, 5, 9])
    model.run()
    model.ever_infected()

Notes
-----
Update rule, as in ``virus_on_network``'s ``try_to_infect_neighbors`` but with one chance per
infection (independent cascade, Kempe et al. 2003): at each tick every infected agent tries each
susceptible neighbour once with probability ``p_transmit`` and then becomes removed. Decisions
are written to ``next_state`` and committed after all agents have stepped (synchronous update),
so an agent infected at tick t first transmits at tick t + 1 — the semantics of
:func:`diffusion.contagion.independent_cascade`.

Agents hold their neighbours in a list instead of sitting on a ``mesa.discrete_space.Network``
cell: the example's ``cell.neighborhood.agents`` lookup is the same per-neighbour Python work,
and the cell space would add an object per node and, on Mesa 3.5, a spring layout by default.
"""

from __future__ import annotations

from enum import Enum

import mesa


class State(Enum):
    SUSCEPTIBLE = 0
    INFECTED = 1
    REMOVED = 2


class NodeAgent(mesa.Agent):
    """A node that, once infected, gets one chance to infect each susceptible neighbour."""

    def __init__(self, model: CascadeModel) -> None:
        super().__init__(model)
        self.state = State.SUSCEPTIBLE
        self.next_state = State.SUSCEPTIBLE
        self.neighbours: list[NodeAgent] = []

    def step(self) -> None:
        if self.state is State.INFECTED:
            self.try_to_infect_neighbours()
            self.next_state = State.REMOVED

    def try_to_infect_neighbours(self) -> None:
        for other in self.neighbours:
            if other.state is State.SUSCEPTIBLE and self.random.random() < self.model.p_transmit:
                other.next_state = State.INFECTED

    def advance(self) -> None:
        self.state = self.next_state


class CascadeModel(mesa.Model):
    """Independent cascade on a fixed graph, one agent per node (agent i sits on node i)."""

    def __init__(self, adjacency: list[list[int]], *, p_transmit: float, rng=None) -> None:
        super().__init__(rng=rng)
        self.p_transmit = p_transmit
        self.nodes = [NodeAgent(self) for _ in range(len(adjacency))]
        for agent, neighbours in zip(self.nodes, adjacency):
            agent.neighbours = [self.nodes[j] for j in neighbours]

    def infect(self, seeds) -> None:
        """Reset every agent to susceptible, then infect ``seeds``."""
        for agent in self.nodes:
            agent.state = agent.next_state = State.SUSCEPTIBLE
        for i in seeds:
            self.nodes[int(i)].state = self.nodes[int(i)].next_state = State.INFECTED
        self.running = True

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.agents.do("advance")
        self.running = any(agent.state is State.INFECTED for agent in self.nodes)

    def run(self) -> None:
        """Step until no agent is infected."""
        while self.running:
            self.step()

    def ever_infected(self) -> int:
        """Agents that were ever infected (seeds included)."""
        return sum(agent.state is not State.SUSCEPTIBLE for agent in self.nodes)
