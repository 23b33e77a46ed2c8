"""kata: practise and grade from-scratch NumPy implementations of neural-network pieces."""

__version__ = "0.1.0"
