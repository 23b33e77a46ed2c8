"""Correct: Dense layer objects behind list properties, kata 5's adam_step, clipped log,
np.array_split mini-batches whose losses are weighted by batch size."""

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


class Dense:
    def __init__(self, fan_in, fan_out, rng):
        self.W = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / fan_in)
        self.b = np.zeros(fan_out)

    def forward(self, a):
        self.a = a
        return a @ self.W.T + self.b

    def backward(self, dz):
        self.dW = dz.T @ self.a
        self.db = dz.sum(0)
        return dz @ self.W


class MLP:
    def __init__(self, shape, seed=0):
        self.generator = np.random.default_rng(seed)
        self.layers = [Dense(i, o, self.generator) for i, o in zip(shape, shape[1:])]

    @property
    def weights(self):
        return [layer.W for layer in self.layers]

    @weights.setter
    def weights(self, values):
        for layer, W in zip(self.layers, values):
            layer.W = np.array(W, dtype=float)

    @property
    def biases(self):
        return [layer.b for layer in self.layers]

    @biases.setter
    def biases(self, values):
        for layer, b in zip(self.layers, values):
            layer.b = np.array(b, dtype=float)

    def _run(self, data):
        self.relu_masks = []
        h = data
        for layer in self.layers[:-1]:
            z = layer.forward(h)
            self.relu_masks.append(z > 0)
            h = np.where(z > 0, z, 0.0)
        z = self.layers[-1].forward(h)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def forward(self, data):
        return self._run(data)

    def loss(self, data, target):
        p = self._run(data)[np.arange(len(target)), target]
        return float(-np.log(np.clip(p, 1e-7, 1 - 1e-7)).mean())

    def _backward(self, probs, target):
        dz = probs.copy()
        dz[np.arange(len(target)), target] -= 1
        dz = dz / len(target)
        for layer, mask in zip(self.layers[::-1], [None] + self.relu_masks[::-1]):
            if mask is not None:
                dz = dz * mask
            dz = layer.backward(dz)

    def gradients(self, data, target):
        self._backward(self._run(data), target)
        return [layer.dW for layer in self.layers], [layer.db for layer in self.layers]

    def fit(self, data, target, epochs=500, lr=0.01, batch_size=None, optimizer="adam"):
        if optimizer == "adam":
            state = {}
        elif optimizer != "sgd":
            raise ValueError("optimizer must be 'adam' or 'sgd'")
        step = 0
        history = []
        for _ in range(epochs):
            if batch_size is None:
                batches = [np.arange(len(data))]
            else:
                order = self.generator.permutation(len(data))
                batches = np.array_split(order, int(np.ceil(len(data) / batch_size)))
            total = 0.0
            for rows in batches:
                probs = self._run(data[rows])
                p = probs[np.arange(len(rows)), target[rows]]
                total += len(rows) * float(-np.log(np.clip(p, 1e-7, 1 - 1e-7)).mean())
                self._backward(probs, target[rows])
                step += 1
                for j, layer in enumerate(self.layers):
                    for name in ("W", "b"):
                        grad = getattr(layer, "d" + name)
                        if optimizer == "sgd":
                            setattr(layer, name, getattr(layer, name) - lr * grad)
                            continue
                        m, v = state.get((j, name), (np.zeros_like(grad), np.zeros_like(grad)))
                        new, m, v = adam_step(getattr(layer, name), grad, m, v, step, lr=lr)
                        state[(j, name)] = (m, v)
                        setattr(layer, name, new)
            history.append(total / len(data))
        return history

    def predict(self, data):
        return self._run(data).argmax(axis=1)
