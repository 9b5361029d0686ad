"""Accuracy on tasks of known MI, and the evidence behind estimate_mi's rules."""
