"""Exact max-norm k-NN and range counts in torch, tile by tile (CPU or GPU).

The same answers as the Numba kernels: distances are ``max_c |a_c - b_c|``
computed by ``torch.cdist(p=inf)`` in float64 (the same subtractions), and
counts compare them with the same radii, so every count -- and hence every
KSG estimate -- agrees with the Numba path. Memory is bounded: queries go in
tiles of ``rows`` x n distances, sized to ``skmi.get_config()["tile_bytes"]``.
"""

import numpy as np

from skmi._config import get_config
from skmi._torch import require_torch, resolve_device


class TorchNeighborIndex:
    """Brute-force neighbour queries on a torch device, in memory-bounded tiles."""

    def __init__(self, points, device=None, dtype=None):
        torch = require_torch()
        config = get_config()
        self.device = resolve_device(device or config["device"])
        self.dtype = getattr(torch, dtype or config["torch_dtype"])
        self.points = torch.tensor(np.asarray(points), dtype=self.dtype, device=self.device)
        n = len(self.points)
        itemsize = torch.finfo(self.dtype).bits // 8
        self.rows = max(1, min(n, config["tile_bytes"] // max(1, n * itemsize * 2)))

    def _tiles(self):
        n = len(self.points)
        for start in range(0, n, self.rows):
            yield start, min(n, start + self.rows)

    def _distances(self, start, stop):
        torch = require_torch()
        return torch.cdist(self.points[start:stop], self.points, p=float("inf"))

    def knn(self, k):
        """(dist, idx) of the k nearest other points, ascending, as numpy."""
        torch = require_torch()
        n = len(self.points)
        dist = np.empty((n, k))
        idx = np.empty((n, k), dtype=np.int64)
        for start, stop in self._tiles():
            D = self._distances(start, stop)
            rows = torch.arange(stop - start, device=self.device)
            D[rows, rows + start] = float("inf")  # not its own neighbour
            values, indices = torch.topk(D, k, dim=1, largest=False, sorted=True)
            dist[start:stop] = values.to("cpu", torch.float64).numpy()
            idx[start:stop] = indices.cpu().numpy()
        return dist, idx

    def count_within(self, radii):
        """``#{j != i : ||p_j - p_i||_inf <= radii[i]}``, as numpy int64."""
        torch = require_torch()
        radii_t = torch.tensor(
            np.asarray(radii, dtype=np.float64), dtype=torch.float64, device=self.device
        )
        counts = np.empty(len(self.points), dtype=np.int64)
        for start, stop in self._tiles():
            D = self._distances(start, stop).to(torch.float64)
            r = radii_t[start:stop, None]
            inside = (D <= r).sum(dim=1) - (r[:, 0] >= 0).long()  # minus the point itself
            counts[start:stop] = inside.cpu().numpy()
        return counts
