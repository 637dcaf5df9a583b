"""The domain: services take plain arguments and never read ``request`` or ``session``."""
