"""Small torch models the contract suite builds estimators with (torch required).

Module-level classes, so that fitted estimators holding them pickle.
"""

import torch


class ScaledTanh(torch.nn.Module):
    """A model with a parameter that accepts any input width (for the checks)."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.act = torch.nn.Tanh()

    def forward(self, x):
        return self.act(self.scale * x)
