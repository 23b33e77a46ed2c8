"""Correct, with no training at all: k nearest neighbours on standardised features."""

import numpy as np


def train_test_split(X, y, test_fraction, rng):
    keys = rng.random(len(y))  # random keys, sorted within each class
    test = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = np.nonzero(y == c)[0]
        n_test = int(np.round(test_fraction * idx.size))
        test[idx[np.argsort(keys[idx])[:n_test]]] = True
    train_idx, test_idx = np.nonzero(~test)[0], np.nonzero(test)[0]
    return X.take(train_idx, axis=0), X.take(test_idx, axis=0), y.take(train_idx), y.take(test_idx)


def standardize(X_train, X_test):
    center = X_train.mean(0)
    spread = X_train.std(0)
    flat = np.ptp(X_train, axis=0) == 0
    spread[flat] = 1.0
    return (X_train - center) / spread, (X_test - center) / spread


def one_hot(y, num_classes):
    encoded = np.zeros((y.shape[0], num_classes), dtype=np.float32)
    encoded[np.arange(y.shape[0]), y] = 1
    return encoded


def confusion_matrix(y_true, y_pred, num_classes):
    flat = np.ravel_multi_index((y_true, y_pred), (num_classes, num_classes))
    return np.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def fit_predict(X_train, y_train, X_test, seed=0, k=5):
    A, B = standardize(X_train, X_test)
    d2 = (B**2).sum(1)[:, None] - 2 * B @ A.T + (A**2).sum(1)[None, :]
    nearest = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = y_train[nearest]
    classes = int(y_train.max()) + 1
    counts = (votes[:, :, None] == np.arange(classes)).sum(axis=1)
    # Ties go to the class of the closest neighbour among the tied ones.
    score = counts + 0.1 * (np.arange(classes) == votes[:, :1])
    return score.argmax(axis=1)
