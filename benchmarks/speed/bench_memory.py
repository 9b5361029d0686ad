"""Peak memory of KSG and binned estimates at n = 10^6: O(n d), measured.

    python -m benchmarks.speed.bench_memory
    python -m benchmarks.speed.bench_memory --n 10000  # a smoke run

Each case runs in a fresh interpreter and reports its peak resident set size
(``ru_maxrss``) minus the peak of the same process after imports and data
generation -- what the estimate itself added -- next to the size of the data.
"""

import argparse
import subprocess
import sys

CASE = """
import resource, sys, warnings
import numpy as np
from skmi import BinnedMutualInfo, KSGMutualInfo
from skmi.datasets import make_gaussian
warnings.simplefilter("ignore")
kind, n, dx, dy = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
small = make_gaussian(2000, dx, dy, random_state=0)[:2]
est = KSGMutualInfo(random_state=0) if kind == "ksg" else BinnedMutualInfo(10)
est.fit(*small)  # compile / load kernels before measuring
X, y, _ = make_gaussian(n, dx, dy, random_state=0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
est.fit(X, y)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024, (X.nbytes + y.nbytes))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10**6, help="rows per case")
    n = parser.parse_args(argv).n
    print("# Peak memory added by one fit (fresh process per case)\n")
    print("| estimator | n | dims | data | added peak RSS | ratio |\n|---|---|---|---|---|---|")
    for kind, dx, dy in [("ksg", 1, 1), ("ksg", 2, 2), ("binned", 10, 1)]:
        out = subprocess.run(
            [sys.executable, "-c", CASE, kind, str(n), str(dx), str(dy)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        added, data = int(out[0]), int(out[1])
        print(
            f"| {kind} | {n:,} | {dx}x{dy} | {data / 2**20:.0f} MiB | "
            f"{added / 2**20:.0f} MiB | {added / data:.1f}x |",
            flush=True,
        )
    gib = n * n * 8 / 2**30
    print(f"\nAn n x n matrix at n = {n:,} would take {gib:,.0f} GiB: none is ever formed.")


if __name__ == "__main__":
    main()
