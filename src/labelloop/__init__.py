"""labelloop: data annotation joined with the machine-learning loop around it."""

__version__ = "0.1.0"
