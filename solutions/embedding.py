"""Reference solution: an embedding table, lookup forward and scatter-add backward."""

import numpy as np


class Embedding:
    def __init__(
        self, num_embeddings: int, dim: int, rng: np.random.Generator | None = None
    ) -> None:
        # Without a generator, a fresh unseeded one: two tables then start different.
        rng = np.random.default_rng() if rng is None else rng
        # N(0, 1), as PyTorch's nn.Embedding: one row (a vector of `dim` numbers) per id.
        self.weight = rng.standard_normal((num_embeddings, dim))

    def forward(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids)
        # NumPy would wrap a negative id around to the end of the table: refuse it, and any id
        # past the end, explicitly. (ids.size guards the empty case, whose min() would raise.)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.weight)):
            raise IndexError(
                f"ids must lie in [0, {len(self.weight)}), got {ids.min()}..{ids.max()}"
            )
        # Backward needs the ids; integer indexing copies, so the result is not a view of weight.
        self.ids = ids
        return self.weight[ids]  # shape ids.shape + (dim,), 0-d ids included

    def backward(self, grad_output: np.ndarray) -> None:
        # Row k of dweight is the sum of the gradients of every position that looked up id k.
        # np.add.at accumulates repeated ids; dweight[ids] += g would keep only one of them
        # (buffered fancy-index assignment). A fresh zeros array: each call overwrites dweight.
        self.dweight = np.zeros_like(self.weight)
        np.add.at(self.dweight, self.ids.reshape(-1), grad_output.reshape(-1, self.weight.shape[1]))
