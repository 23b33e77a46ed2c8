"""Bug: relu_forward clips x in place."""
# expect: modified its input x


def relu_forward(x):
    x[x < 0] = 0
    return x


def relu_backward(grad_output, x):
    return grad_output * (x > 0)
