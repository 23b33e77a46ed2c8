"""Reference solution: a small MLP (ReLU hidden layers, softmax output) that learns XOR."""

import numpy as np

# Kata 5's Adam defaults (Kingma & Ba, 2015).
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def log_softmax(z: np.ndarray) -> np.ndarray:
    # Softmax is unchanged by subtracting a constant per row; subtracting the row max makes
    # the largest exponent exp(0) = 1, so logits like 1e3 cannot overflow. Staying in log
    # space keeps the loss finite even where a probability underflows to 0.
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(z: np.ndarray) -> np.ndarray:
    return np.exp(log_softmax(z))


class MLP:
    """ReLU on every hidden layer, softmax on the output, mean cross-entropy loss."""

    def __init__(self, layer_sizes: list[int], seed: int = 0):
        sizes = [int(n) for n in layer_sizes]
        # One generator for everything random (initial weights, then shuffling), so the
        # same seed always gives the same model and the same training run.
        self.rng = np.random.default_rng(seed)
        # He-normal, N(0, 2 / fan_in): ReLU zeroes about half of its inputs, and the
        # factor 2 makes up for it, so activations keep their scale from layer to layer.
        self.weights = [
            self.rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        self.biases = [np.zeros(fan_out) for fan_out in sizes[1:]]

    def _logits(self, X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The output logits, and the input of every layer (what backprop needs)."""
        inputs = []
        a = X
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            inputs.append(a)
            z = a @ W.T + b  # batch-first: (N, in) @ (in, out) -> (N, out)
            a = z if i == last else np.maximum(z, 0.0)
        return a, inputs

    def forward(self, X: np.ndarray) -> np.ndarray:
        logits, _ = self._logits(X)
        return softmax(logits)

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        logits, _ = self._logits(X)
        return float(-np.mean(log_softmax(logits)[np.arange(len(y)), y]))

    def _loss_and_gradients(self, X: np.ndarray, y: np.ndarray):
        logits, inputs = self._logits(X)
        n = X.shape[0]
        log_p = log_softmax(logits)
        loss = float(-np.mean(log_p[np.arange(n), y]))
        # d(mean cross-entropy)/d(logits) = (softmax - one_hot) / N. The 1/N of the mean
        # enters here, once; everything below only applies the chain rule.
        dz = np.exp(log_p)
        dz[np.arange(n), y] -= 1.0
        dz /= n
        grad_W: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        grad_b: list[np.ndarray] = [np.empty(0)] * len(self.biases)
        for i in reversed(range(len(self.weights))):
            a = inputs[i]
            grad_W[i] = dz.T @ a  # (out, N) @ (N, in): W's own shape (out, in)
            grad_b[i] = dz.sum(axis=0)  # b is broadcast over the batch, so its gradient sums
            if i > 0:
                # a = relu(z) is positive exactly where z is: the ReLU slope is 1[z > 0].
                dz = (dz @ self.weights[i]) * (a > 0)
        return loss, grad_W, grad_b

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        _, grad_W, grad_b = self._loss_and_gradients(X, y)
        return grad_W, grad_b

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int = 500,
        lr: float = 0.01,
        batch_size: int | None = None,
        optimizer: str = "adam",
    ) -> list[float]:
        if optimizer not in ("adam", "sgd"):
            raise ValueError(f"unknown optimizer {optimizer!r}: use 'adam' or 'sgd'")
        n_layers = len(self.weights)
        # Adam starts afresh at every fit call: zero moments, and t counts this call's updates.
        m = [np.zeros_like(p) for p in self.weights + self.biases]
        v = [np.zeros_like(p) for p in self.weights + self.biases]
        t = 0
        n = X.shape[0]
        history = []
        for _ in range(epochs):
            if batch_size is None:
                batches = [np.arange(n)]
            else:
                order = self.rng.permutation(n)  # a fresh shuffle each epoch, from our own rng
                batches = [order[start : start + batch_size] for start in range(0, n, batch_size)]
            losses = []
            for rows in batches:
                loss, grad_W, grad_b = self._loss_and_gradients(X[rows], y[rows])
                losses.append(loss)  # recorded before the update, as the contract asks
                params, grads = self.weights + self.biases, grad_W + grad_b
                if optimizer == "sgd":
                    params = [p - lr * g for p, g in zip(params, grads, strict=True)]
                else:
                    # t starts at 1, so the bias corrections 1 - beta**t are never 0; they undo
                    # the pull of the zero-initialised moments towards 0 in early steps.
                    t += 1
                    for k, g in enumerate(grads):
                        m[k] = BETA1 * m[k] + (1 - BETA1) * g
                        v[k] = BETA2 * v[k] + (1 - BETA2) * g * g
                        m_hat = m[k] / (1 - BETA1**t)
                        v_hat = v[k] / (1 - BETA2**t)
                        params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + EPS)
                # New arrays rather than in-place updates: arrays the caller assigned stay intact.
                self.weights, self.biases = params[:n_layers], params[n_layers:]
            history.append(float(np.mean(losses)))
        return history

    def predict(self, X: np.ndarray) -> np.ndarray:
        # Softmax is monotonic within a row, so the largest logit is the most probable class.
        logits, _ = self._logits(X)
        return np.argmax(logits, axis=1)
