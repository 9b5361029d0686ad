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

# Tiles on a CUDA device may use this share of its free memory (the
# configured ``tile_bytes`` is the floor): with tiles of only a few rows at
# n = 10^6 the kernel-launch overhead, not the arithmetic, sets the time.
_CUDA_TILE_SHARE = 8


class TorchNeighborIndex:
    """Brute-force neighbour queries on a torch device, in memory-bounded tiles.

    Distances are built one coordinate at a time into a reused tile buffer,
    ``D = max(D, |a_c - b_c|)``, from a coordinate-major copy of the points.
    ``torch.cdist(p=inf)`` gives the same numbers (the same subtractions and
    the same maximum) but through a generic kernel that measured about 100
    times slower on an H200 (43 s for the 1-D KSG at n = 10^5,
    ``benchmarks/speed/bench_backends.py --gpu``).
    """

    def __init__(self, points, device=None, dtype=None):
        torch = require_torch()
        config = get_config()
        self.device = resolve_device(device)
        self.dtype = getattr(torch, dtype or config["torch_dtype"])
        points = np.asarray(points)
        if points.ndim == 1:
            points = points[:, None]
        self.points = torch.tensor(points, dtype=self.dtype, device=self.device)
        # Coordinate-major: each coordinate of all n points is one contiguous row.
        self.columns = self.points.T.contiguous()
        n = len(self.points)
        itemsize = torch.finfo(self.dtype).bits // 8
        tile_bytes = config["tile_bytes"]
        if self.device.type == "cuda":
            free, _ = torch.cuda.mem_get_info(self.device)
            tile_bytes = max(tile_bytes, free // _CUDA_TILE_SHARE)
        # Two n-wide buffers per row: the running maximum and one coordinate.
        self.rows = max(1, min(n, tile_bytes // max(1, n * itemsize * 2)))

    def _tiles(self):
        n = len(self.points)
        for start in range(0, n, self.rows):
            yield start, min(n, start + self.rows)

    def _distances(self, start, stop, out, scratch):
        """Max-norm distances of points[start:stop] to all points, into ``out``."""
        torch = require_torch()
        rows = stop - start
        D = out[:rows]
        tmp = scratch[:rows]
        torch.sub(self.points[start:stop, 0:1], self.columns[0], out=D)
        D.abs_()
        for c in range(1, self.columns.shape[0]):
            torch.sub(self.points[start:stop, c : c + 1], self.columns[c], out=tmp)
            tmp.abs_()
            torch.maximum(D, tmp, out=D)
        return D

    def _buffers(self):
        torch = require_torch()
        n = len(self.points)
        shape = (min(self.rows, n), n)
        return (
            torch.empty(shape, dtype=self.dtype, device=self.device),
            torch.empty(shape, dtype=self.dtype, device=self.device),
        )

    def knn(self, k):
        """(dist, idx) of the k nearest other points, ascending, as numpy."""
        torch = require_torch()
        n = len(self.points)
        dist = np.empty((n, k))
        idx = np.empty((n, k), dtype=np.int64)
        out, scratch = self._buffers()
        for start, stop in self._tiles():
            D = self._distances(start, stop, out, scratch)
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
        out, scratch = self._buffers()
        for start, stop in self._tiles():
            D = self._distances(start, stop, out, scratch)
            r = radii_t[start:stop, None]
            if D.dtype != torch.float64:
                D = D.to(torch.float64)
            inside = (D <= r).sum(dim=1) - (r[:, 0] >= 0).long()  # minus the point itself
            counts[start:stop] = inside.cpu().numpy()
        return counts
