"""Correct, written with Python loops: a tanh MLP trained by mini-batch SGD with momentum."""

import math

import numpy as np


def train_test_split(X, y, test_fraction, rng):
    test_rows = []
    for label in sorted(set(y.tolist())):
        rows = [i for i in range(len(y)) if y[i] == label]
        rows = [rows[j] for j in rng.permutation(len(rows))]
        take = int(math.floor(test_fraction * len(rows) + 0.5))
        test_rows += rows[:take]
    chosen = set(test_rows)
    train_rows = [i for i in range(len(y)) if i not in chosen]
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]


def standardize(X_train, X_test):
    n, d = X_train.shape
    means, scales = [], []
    for j in range(d):
        column = [float(v) for v in X_train[:, j]]
        mean = sum(column) / n
        var = sum((v - mean) ** 2 for v in column) / n
        if all(v == column[0] for v in column):
            scale = 1.0
        else:
            scale = math.sqrt(var)
        means.append(mean)
        scales.append(scale)
    means, scales = np.array(means), np.array(scales)
    return (X_train - means) / scales, (X_test - means) / scales


def one_hot(y, num_classes):
    out = np.zeros((len(y), num_classes))
    for i in range(len(y)):
        out[i, y[i]] = 1.0
    return out


def confusion_matrix(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm


class TanhMLP:
    def __init__(self, sizes, rng):
        self.W = [
            rng.uniform(-1, 1, (a, b)) * math.sqrt(6 / (a + b))
            for a, b in zip(sizes[:-1], sizes[1:])
        ]
        self.b = [np.zeros(b) for b in sizes[1:]]

    def forward(self, X):
        acts = [X]
        for i in range(len(self.W)):
            z = acts[-1] @ self.W[i] + self.b[i]
            acts.append(np.tanh(z) if i < len(self.W) - 1 else z)
        return acts

    def step(self, X, Y, velocity, lr, momentum):
        acts = self.forward(X)
        logits = acts[-1]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        delta = (e / e.sum(axis=1, keepdims=True) - Y) / len(X)
        for i in reversed(range(len(self.W))):
            gW, gb = acts[i].T @ delta, delta.sum(axis=0)
            if i > 0:
                delta = (delta @ self.W[i].T) * (1 - acts[i] ** 2)
            velocity[2 * i] = momentum * velocity[2 * i] + gW
            velocity[2 * i + 1] = momentum * velocity[2 * i + 1] + gb
            self.W[i] = self.W[i] - lr * velocity[2 * i]
            self.b[i] = self.b[i] - lr * velocity[2 * i + 1]


def fit_predict(X_train, y_train, X_test, seed=0):
    rng = np.random.default_rng(seed)
    X_train, X_test = standardize(X_train, X_test)
    classes = int(y_train.max()) + 1
    net = TanhMLP([X_train.shape[1], 12, classes], rng)
    Y = one_hot(y_train, classes)
    velocity = [np.zeros_like(p) for pair in zip(net.W, net.b) for p in pair]
    for epoch in range(60):
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), 16):
            rows = order[start : start + 16]
            net.step(X_train[rows], Y[rows], velocity, lr=0.05, momentum=0.9)
    return np.argmax(net.forward(X_test)[-1], axis=1)
