"""Correct: multiply by a boolean mask."""


def relu_forward(x):
    return x * (x > 0)


def relu_backward(grad_output, x):
    return grad_output * (x > 0)
