"""Reference solution: the whole workflow on Iris (split, standardise, train, evaluate)."""

import numpy as np

# Kata 5's Adam defaults (Kingma & Ba, 2015), and a training run that fits Iris-sized data.
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
HIDDEN, EPOCHS, LR = 16, 150, 0.05


def train_test_split(
    X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # Stratified: each class gives round(test_fraction * its count) samples to the test
    # set, so both parts keep the class proportions of the whole (a plain random 30% of a
    # small data set can leave a class nearly out of the test set). Shuffling each class's
    # indices with the given generator, and nothing else, makes the split reproducible.
    test_parts = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test_parts.append(members[: int(round(test_fraction * len(members)))])
    in_test = np.zeros(len(y), dtype=bool)
    in_test[np.concatenate(test_parts)] = True
    # Indexing with a mask copies whole rows, and the same mask keeps X and y paired.
    return X[~in_test], X[in_test], y[~in_test], y[in_test]


def standardize(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # The statistics come from the training set only: the test set stands for data not yet
    # seen, so letting it shape the preprocessing would leak it into the model.
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)  # ddof 0: the population std, as scikit-learn's StandardScaler
    # A feature constant in X_train carries no information; its std is 0, or a rounding
    # residue like 1e-16 (the computed mean need not equal the value exactly), and dividing
    # by either gives NaN or huge values. Testing the values themselves avoids any threshold.
    constant = np.all(X_train == X_train[:1], axis=0)
    scale = np.where(constant, 1.0, std)
    return (X_train - mean) / scale, (X_test - mean) / scale


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    # Row n of the identity matrix is the one-hot vector of class n; batch-first (N, C).
    return np.eye(num_classes)[y]


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    # Each (true, predicted) pair gets its own bin true * C + predicted; bincount counts
    # repeated pairs, which `cm[y_true, y_pred] += 1` would count only once.
    counts = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)  # rows: true class; columns: predicted


def log_softmax(z: np.ndarray) -> np.ndarray:
    # Subtracting each row's max keeps np.exp from overflowing; softmax is unchanged.
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def fit_predict(
    X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, seed: int = 0
) -> np.ndarray:
    # Standardise first: features in different units (centimetres, or thousands of
    # anything) would otherwise give the weights of one feature a far larger say.
    X_train, X_test = standardize(X_train, X_test)
    # One generator for everything random, so the same seed gives the same labels.
    rng = np.random.default_rng(seed)
    classes = int(y_train.max()) + 1
    sizes = [X_train.shape[1], HIDDEN, classes]
    # He-normal initial weights, as in kata 6: N(0, 2 / fan_in) keeps ReLU activations' scale.
    params = [
        rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)
    ] + [np.zeros(fan_out) for fan_out in sizes[1:]]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    targets = one_hot(y_train, classes)
    n = len(X_train)
    for t in range(1, EPOCHS + 1):  # full-batch Adam: a hundred rows need no mini-batches
        W1, W2, b1, b2 = params
        z1 = X_train @ W1.T + b1
        hidden = np.maximum(z1, 0.0)
        probs = np.exp(log_softmax(hidden @ W2.T + b2))
        dz2 = (probs - targets) / n  # d(mean cross-entropy)/d(logits)
        dz1 = (dz2 @ W2) * (z1 > 0)
        grads = [dz1.T @ X_train, dz2.T @ hidden, dz1.sum(axis=0), dz2.sum(axis=0)]
        for k, g in enumerate(grads):
            m[k] = BETA1 * m[k] + (1 - BETA1) * g
            v[k] = BETA2 * v[k] + (1 - BETA2) * g * g
            m_hat, v_hat = m[k] / (1 - BETA1**t), v[k] / (1 - BETA2**t)
            params[k] = params[k] - LR * m_hat / (np.sqrt(v_hat) + EPS)
    W1, W2, b1, b2 = params
    logits = np.maximum(X_test @ W1.T + b1, 0.0) @ W2.T + b2
    return np.argmax(logits, axis=1)  # integer labels: the most probable class of each row
