"""Bug: creates m and v as one shared list, so v is computed from the new m."""
# expect: the loss history of fit

import numpy as np


class MLP:
    def __init__(self, layer_sizes, seed=0):
        self.rng = np.random.default_rng(seed)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.weights.append(self.rng.normal(0.0, np.sqrt(2.0 / n_in), (n_out, n_in)))
            self.biases.append(np.zeros(n_out))

    def _activations(self, X):
        acts = [X]
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = acts[-1] @ W.T + b
            if i < len(self.weights) - 1:
                z = np.maximum(z, 0)
            acts.append(z)
        return acts

    @staticmethod
    def _softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, X):
        return self._softmax(self._activations(X)[-1])

    def loss(self, X, y):
        p = self.forward(X)
        return float(-np.mean(np.log(p[np.arange(len(y)), y])))

    def gradients(self, X, y):
        acts = self._activations(X)
        n = len(X)
        dz = self._softmax(acts[-1])
        dz[np.arange(n), y] -= 1
        dz /= n
        grad_W, grad_b = [], []
        for i in reversed(range(len(self.weights))):
            grad_W.insert(0, dz.T @ acts[i])
            grad_b.insert(0, dz.sum(axis=0))
            if i > 0:
                dz = (dz @ self.weights[i]) * (acts[i] > 0)
        return grad_W, grad_b

    def fit(self, X, y, epochs=500, lr=0.01, batch_size=None, optimizer="adam"):
        if optimizer not in ("adam", "sgd"):
            raise ValueError(f"unknown optimizer {optimizer}")
        n = len(X)
        size = n if batch_size is None else batch_size
        m = v = [np.zeros_like(p) for p in self.weights + self.biases]
        t = 0
        history = []
        for _ in range(epochs):
            order = np.arange(n) if batch_size is None else self.rng.permutation(n)
            losses = []
            for start in range(0, n, size):
                idx = order[start : start + size]
                losses.append(self.loss(X[idx], y[idx]))
                grad_W, grad_b = self.gradients(X[idx], y[idx])
                params = self.weights + self.biases
                grads = grad_W + grad_b
                if optimizer == "sgd":
                    new = [p - lr * g for p, g in zip(params, grads)]
                else:
                    t += 1
                    new = []
                    for k, (p, g) in enumerate(zip(params, grads)):
                        m[k] = 0.9 * m[k] + 0.1 * g
                        v[k] = 0.999 * v[k] + 0.001 * g * g
                        m_hat = m[k] / (1 - 0.9**t)
                        v_hat = v[k] / (1 - 0.999**t)
                        new.append(p - lr * m_hat / (np.sqrt(v_hat) + 1e-8))
                layers = len(self.weights)
                self.weights, self.biases = new[:layers], new[layers:]
            history.append(float(np.mean(losses)))
        return history

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
