"""Correct, vectorised differently: a linear softmax classifier (no hidden layer)."""

import numpy as np


def train_test_split(X, y, test_fraction, rng):
    # One global shuffle, then a stable sort by label: each class's rows in random order.
    order = rng.permutation(len(y))
    order = order[np.argsort(y[order], kind="stable")]
    labels, starts, counts = np.unique(y[order], return_index=True, return_counts=True)
    take = np.floor(test_fraction * counts + 0.5).astype(int)
    rank = np.arange(len(y)) - np.repeat(starts, counts)
    is_test = rank < np.repeat(take, counts)
    return X[order[~is_test]], X[order[is_test]], y[order[~is_test]], y[order[is_test]]


def standardize(X_train, X_test):
    mu = np.mean(X_train, axis=0)
    sigma = np.sqrt(np.mean((X_train - mu) ** 2, axis=0))
    # Constant up to rounding: the spread is negligible next to the values themselves.
    tiny = sigma <= 1e-12 * np.maximum(np.abs(mu), 1e-300)
    sigma = np.where(tiny | (sigma == 0), 1.0, sigma)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def one_hot(y, num_classes):
    return (np.asarray(y)[:, None] == np.arange(num_classes)).astype(np.float64)


def confusion_matrix(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def fit_predict(X_train, y_train, X_test, seed=0):
    Xs, Xt = standardize(X_train, X_test)
    rng = np.random.default_rng(seed)
    k = int(y_train.max()) + 1
    W = 0.01 * rng.standard_normal((Xs.shape[1], k))
    b = np.zeros(k)
    Y = one_hot(y_train, k)
    for _ in range(400):
        z = Xs @ W + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - Y) / len(Xs)
        W -= 0.5 * (Xs.T @ g + 1e-3 * W)
        b -= 0.5 * g.sum(axis=0)
    return (Xt @ W + b).argmax(axis=1)
