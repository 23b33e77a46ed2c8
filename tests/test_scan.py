import pytest

from grader.scan import scan_source


def test_syntax_error_names_file_and_line():
    report = scan_source("import numpy as np\ndef f(:\n", "relu_backward.py")
    assert report.error_kind == "syntax"
    assert report.error_message.startswith("relu_backward.py:2:")


@pytest.mark.parametrize(
    "source, module",
    [
        ("import torch", "torch"),
        ("from torch import nn", "torch"),
        ("import scipy.special as sp", "scipy.special"),
        ("from sklearn.neural_network import MLPClassifier", "sklearn.neural_network"),
        ("import jax.numpy as jnp", "jax.numpy"),
        ("x = __import__('tensorflow')", "tensorflow"),
        ("import importlib\nm = importlib.import_module('autograd')", "autograd"),
        ("from grader import engine", "grader"),
        ("import solutions.relu_backward", "solutions.relu_backward"),
    ],
)
def test_forbidden_imports_are_rejected_with_name_and_line(source, module):
    report = scan_source("import numpy as np\n" + source, "k.py")
    assert report.error_kind == "forbidden_import"
    line = 2 + source.count("\n")
    assert f"k.py:{line}: '{module}'" in report.error_message


def test_numpy_math_and_stdlib_are_allowed():
    assert (
        scan_source(
            "import numpy as np\nimport math\nfrom functools import reduce\n", "k.py"
        ).error_kind
        is None
    )


@pytest.mark.parametrize(
    "source, words",
    [
        ("import sys\nsys.modules['numpy'] = None", "sys.modules"),
        ("import os\nos.environ.get('HOME')", "environment"),
        ("import subprocess", "starts processes"),
        ("open('/tmp/x', 'w')", "writes files"),
        ("import numpy as np\nnp.allclose = lambda *a, **k: True", "patches np.allclose"),
        (
            "import numpy as np\nnp.testing.assert_allclose = print",
            "patches np.testing.assert_allclose",
        ),
        ("import socket", "network"),
    ],
)
def test_suspicious_code_is_flagged_not_rejected(source, words):
    report = scan_source(source, "k.py")
    assert report.error_kind is None
    assert any(words in flag for flag in report.flags), report.flags


def test_a_byte_order_mark_is_skipped_as_python_skips_it():
    report = scan_source("\ufeffimport numpy as np\nimport torch\n", "k.py")
    assert report.error_kind == "forbidden_import" and "k.py:2:" in report.error_message
    assert scan_source("\ufeffimport numpy as np\n", "k.py").error_kind is None
