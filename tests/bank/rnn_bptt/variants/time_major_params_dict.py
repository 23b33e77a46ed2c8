"""Correct: time-major lists of states, parameters in a dict behind properties."""

import numpy as np


class RNN:
    def __init__(self, input_size: int, hidden_size: int, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        k = np.sqrt(1.0 / hidden_size)
        self.params = {
            "W_hh": rng.uniform(-k, k, (hidden_size, hidden_size)),
            "b_h": rng.uniform(-k, k, (hidden_size,)),
            "W_xh": rng.uniform(-k, k, (hidden_size, input_size)),
        }
        self.grads = {}

    W_xh = property(lambda self: self.params["W_xh"], lambda self, v: self._set("W_xh", v))
    W_hh = property(lambda self: self.params["W_hh"], lambda self, v: self._set("W_hh", v))
    b_h = property(lambda self: self.params["b_h"], lambda self, v: self._set("b_h", v))
    dW_xh = property(lambda self: self.grads["W_xh"])
    dW_hh = property(lambda self: self.grads["W_hh"])
    db_h = property(lambda self: self.grads["b_h"])
    dh0 = property(lambda self: self.grads["h0"])

    def _set(self, name, value):
        self.params[name] = np.asarray(value)

    def forward(self, x, h0=None):
        xs = np.swapaxes(x, 0, 1)  # (T, N, input): one step per row
        h = np.zeros((x.shape[0], self.b_h.size)) if h0 is None else h0
        self.xs, self.states = xs, [h]
        for x_t in xs:
            h = np.tanh(np.dot(x_t, self.W_xh.T) + np.dot(h, self.W_hh.T) + self.b_h)
            self.states.append(h)
        return np.stack(self.states[1:], axis=1)

    def backward(self, grad_hs):
        gs = np.swapaxes(grad_hs, 0, 1)
        W_xh, W_hh = self.W_xh, self.W_hh
        grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        dxs = []
        back = 0.0
        for t in reversed(range(len(self.xs))):
            h, prev = self.states[t + 1], self.states[t]
            da = (1.0 - h * h) * (gs[t] + back)
            grads["W_xh"] = grads["W_xh"] + np.dot(da.T, self.xs[t])
            grads["W_hh"] = grads["W_hh"] + np.dot(da.T, prev)
            grads["b_h"] = grads["b_h"] + np.sum(da, axis=0)
            dxs.append(np.dot(da, W_xh))
            back = np.dot(da, W_hh)
        grads["h0"] = back + np.zeros_like(self.states[0])
        self.grads = grads
        return np.stack(dxs[::-1], axis=1)
