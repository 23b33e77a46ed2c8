"""Correct: features-first internals (W @ A with samples as columns), logsumexp loss,
ReLU slope 1 at exactly 0, dict-based Adam with in-place moment updates."""

import math

import numpy as np


class MLP:
    def __init__(self, layer_sizes, seed=0):
        self.rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.weights.append(self.rng.normal(size=(fan_out, fan_in)) * math.sqrt(2 / fan_in))
            self.biases.append(np.zeros(fan_out))

    def _columns(self, X):
        """Pre-activations and activations with one column per sample."""
        A = [np.asarray(X, dtype=float).T]
        Z = []
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            Z.append(W @ A[-1] + b[:, None])
            A.append(Z[-1] if k == len(self.weights) - 1 else np.maximum(Z[-1], 0))
        return Z, A

    @staticmethod
    def _log_softmax_columns(logits):
        top = logits.max(axis=0)
        return logits - (top + np.log(np.exp(logits - top).sum(axis=0)))

    def forward(self, X):
        _, A = self._columns(X)
        return np.exp(self._log_softmax_columns(A[-1])).T

    def loss(self, X, labels):
        _, A = self._columns(X)
        logp = self._log_softmax_columns(A[-1])
        return float(-logp[labels, np.arange(len(labels))].sum() / len(labels))

    def _loss_grads(self, X, labels):
        Z, A = self._columns(X)
        count = len(labels)
        logp = self._log_softmax_columns(A[-1])
        loss = -logp[labels, np.arange(count)].sum() / count
        delta = np.exp(logp)
        delta[labels, np.arange(count)] -= 1
        delta /= count
        dW, db = [], []
        for k in range(len(self.weights) - 1, -1, -1):
            dW.append(delta @ A[k].T)
            db.append(delta.sum(axis=1))
            if k:
                delta = (self.weights[k].T @ delta) * (Z[k - 1] >= 0)
        return loss, dW[::-1], db[::-1]

    def gradients(self, X, labels):
        _, dW, db = self._loss_grads(X, labels)
        return dW, db

    def fit(self, X, labels, epochs=500, lr=0.01, batch_size=None, optimizer="adam"):
        if optimizer not in {"sgd", "adam"}:
            raise ValueError(f"optimizer {optimizer!r} is not 'sgd' or 'adam'")
        moments = {}
        t = 0
        count = len(X)
        losses = []
        for _ in range(epochs):
            index = np.arange(count)
            if batch_size is not None:
                self.rng.shuffle(index)
            step = count if batch_size is None else batch_size
            seen = []
            for lo in range(0, count, step):
                rows = index[lo : lo + step]
                loss, dW, db = self._loss_grads(X[rows], labels[rows])
                seen.append(loss)
                t += 1
                for group, grads in (("w", dW), ("b", db)):
                    params = self.weights if group == "w" else self.biases
                    for k, g in enumerate(grads):
                        if optimizer == "sgd":
                            params[k] = params[k] - lr * g
                            continue
                        m, v = moments.setdefault((group, k), (np.zeros_like(g), np.zeros_like(g)))
                        m *= 0.9
                        m += 0.1 * g
                        v *= 0.999
                        v += 0.001 * g**2
                        m_hat = m / (1 - 0.9**t)
                        v_hat = v / (1 - 0.999**t)
                        params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
            losses.append(np.mean(seen))
        return losses

    def predict(self, X):
        _, A = self._columns(X)
        return A[-1].argmax(axis=0)
