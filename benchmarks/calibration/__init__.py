"""Calibration of intervals and tests: coverage, size and power."""
