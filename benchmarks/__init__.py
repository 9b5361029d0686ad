"""skmi's benchmark scripts (not installed with the package).

Grouped by purpose -- ``speed``, ``accuracy``, ``calibration``,
``scale_out`` -- and run as modules from the repository root, e.g.
``python -m benchmarks.speed.bench_ksg --help``; ``benchmarks/README.md``
lists them.
"""
