"""Networks: igraph graphs built as pure functions of parameters and an explicit rng."""

from diffusion.networks.classic import (
    barabasi_albert,
    configuration_model,
    erdos_renyi,
    stochastic_block_model,
    watts_strogatz,
)
from diffusion.networks.csr import CSR, csr_from_edges, edge_arrays, to_csr
from diffusion.networks.io import load_network
from diffusion.networks.removal import (
    REMOVAL_RULES,
    giant_component_share,
    remove,
    remove_in_order,
    removal_order,
)
from diffusion.networks.society import Society, society_from_graph, weak_tie_society

__all__ = [
    "CSR", "REMOVAL_RULES", "Society", "barabasi_albert", "configuration_model", "csr_from_edges", "edge_arrays",
    "erdos_renyi", "giant_component_share", "load_network", "removal_order", "remove", "remove_in_order",
    "society_from_graph", "stochastic_block_model", "to_csr",
    "watts_strogatz", "weak_tie_society",
]
