"""Reference solution: softmax cross-entropy on logits, with its gradient."""

import numpy as np


def cross_entropy_loss(logits: np.ndarray, labels: np.ndarray) -> float:
    y = targets(labels, logits.shape[1])
    log_probs = log_softmax(logits)
    # A class with logit -inf has log-probability -inf; with a label of 0 it contributes
    # nothing, but 0 * -inf is NaN. So keep the log-probabilities only where the label is
    # non-zero (np.where picks values; nothing is ever multiplied by -inf).
    picked = np.where(y != 0, log_probs, 0.0)
    # The mean over samples, not over classes as well: each sample's loss is a sum over
    # its classes, and the batch loss must not depend on the batch size.
    return float(-np.sum(y * picked) / logits.shape[0])


def cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    y = targets(labels, logits.shape[1])
    # Softmax and cross-entropy together have the short derivative softmax(z) - y: the
    # softmax Jacobian and the -y / p of the log cancel. The 1 / N is the mean's.
    return (np.exp(log_softmax(logits)) - y) / logits.shape[0]


def targets(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Labels as rows of class probabilities, shape (N, C)."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        # Probability rows (one-hot or soft), used as they are, whatever their dtype:
        # an integer one-hot array is still probabilities, not indices.
        return labels
    # Class indices, whatever their dtype: floats like 2.0 must become integers before
    # they can index. The number of classes is the logits', not labels.max() + 1.
    return np.eye(num_classes)[labels.astype(np.intp)]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    # Subtract each row's max: exp never sees a positive number (no overflow), the sum is
    # at least 1 (its log is finite), and -inf logits give exp(-inf) = 0. Then
    # log softmax = shifted - log(sum(exp(shifted))): never the log of a probability that
    # may have underflowed to 0.
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
