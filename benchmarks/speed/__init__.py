"""Time and memory: skmi against its peers and its own backends."""
