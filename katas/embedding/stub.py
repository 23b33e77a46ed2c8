"""An embedding table: fill in the three methods (see `kata show embedding`)."""

import numpy as np


class Embedding:
    """A table of num_embeddings vectors of size dim; forward looks rows up by integer id."""

    def __init__(
        self, num_embeddings: int, dim: int, rng: np.random.Generator | None = None
    ) -> None:
        """Set self.weight, shape (num_embeddings, dim), drawn N(0, 1) from rng only.

        Without rng, use a fresh np.random.default_rng().
        """
        raise NotImplementedError("Embedding.__init__")

    def forward(self, ids: np.ndarray) -> np.ndarray:
        """Integer ids of any shape S (0-d and empty too) -> rows of weight, shape S + (dim,).

        Ids outside [0, num_embeddings) raise IndexError. Remember what backward needs.
        """
        raise NotImplementedError("Embedding.forward")

    def backward(self, grad_output: np.ndarray) -> None:
        """dL/d(output), shape S + (dim,), for the last forward -> set self.dweight; return None.

        dweight has weight's shape; a row looked up several times gets the sum of their gradients.
        """
        raise NotImplementedError("Embedding.backward")
