"""A whole workflow on Iris: fill in every function (see `kata show mlp_iris`)."""

import numpy as np


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, X_test, y_train, y_test): each class gives round(test_fraction * its count)
    samples to the test set, chosen with rng alone; the parts are disjoint and hold every
    sample once, each row with its own label."""
    raise NotImplementedError("train_test_split")


def standardize(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays standardised with X_train's per-feature mean and population std (ddof 0);
    a feature constant in X_train gets scale 1."""
    raise NotImplementedError("standardize")


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Float array (N, num_classes): row n is 1 in column y[n], 0 elsewhere."""
    raise NotImplementedError("one_hot")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """Integer array (C, C): entry [i, j] counts the samples of true class i predicted as j."""
    raise NotImplementedError("confusion_matrix")


def fit_predict(
    X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, seed: int = 0
) -> np.ndarray:
    """Train a classifier (a small MLP) on X_train, y_train and return integer labels for
    X_test, shape (N_test,); the same seed gives the same labels."""
    raise NotImplementedError("fit_predict")
