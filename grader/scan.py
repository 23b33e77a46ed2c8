"""The static scan of a learner's file, before any of it runs.

It rejects what can be decided from the source alone (syntax errors, forbidden
imports) and flags code an instructor may want to look at (reaching into the
interpreter, the file system, processes, the environment). Flags never change a
score: the child process and the parent's checks are what keep grading honest.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from grader.contract import forbidden_reason

SUSPICIOUS_ATTRIBUTES = {
    ("sys", "modules"): "reaches into sys.modules",
    ("sys", "_getframe"): "inspects interpreter frames",
    ("os", "environ"): "reads environment variables",
    ("os", "getenv"): "reads environment variables",
    ("os", "system"): "starts processes",
    ("os", "fork"): "starts processes",
    ("os", "popen"): "starts processes",
    ("os", "_exit"): "exits the process",
    ("os", "kill"): "signals processes",
    ("builtins", "__import__"): "patches builtins",
}
SUSPICIOUS_MODULES = {
    "subprocess": "starts processes",
    "multiprocessing": "starts processes",
    "socket": "opens network connections",
    "ctypes": "calls native code",
    "gc": "reaches into the garbage collector",
    "inspect": "inspects interpreter frames",
    "builtins": "patches builtins",
    "importlib": "imports modules dynamically",
    "shutil": "changes files",
    "signal": "handles signals",
}


@dataclass(frozen=True)
class ScanReport:
    error_kind: str | None = None
    error_message: str | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)


def _imported_modules(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def _suspicious(tree: ast.AST, imports: list[tuple[str, int]]) -> list[str]:
    flags = []
    for module, line in imports:
        reason = SUSPICIOUS_MODULES.get(module.split(".")[0])
        if reason:
            flags.append(f"suspicious_code: line {line} {reason} (imports {module})")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            reason = SUSPICIOUS_ATTRIBUTES.get((node.value.id, node.attr))
            if reason:
                flags.append(
                    f"suspicious_code: line {node.lineno} {reason} ({node.value.id}.{node.attr})"
                )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "open"
        ):
            modes = [a for a in node.args[1:2]] + [
                k.value for k in node.keywords if k.arg == "mode"
            ]
            if any(isinstance(m, ast.Constant) and set(str(m.value)) & set("wax+") for m in modes):
                flags.append(f"suspicious_code: line {node.lineno} writes files (open for writing)")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Attribute)
                    and isinstance(target.value.value, ast.Name)
                    and target.value.value.id in ("np", "numpy")
                ) or (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in ("np", "numpy", "builtins")
                ):
                    flags.append(
                        f"suspicious_code: line {node.lineno} patches {ast.unparse(target)}"
                    )
    return sorted(set(flags), key=lambda f: int(f.split()[2]))


def scan_source(source: str, file_name: str) -> ScanReport:
    """Reject syntax errors and forbidden imports; flag suspicious code."""
    try:
        tree = ast.parse(source.removeprefix("\ufeff"), filename=file_name)  # Python skips a BOM
    except SyntaxError as error:
        where = f"{file_name}:{error.lineno}" if error.lineno else file_name
        return ScanReport("syntax", f"{where}: {error.msg}")
    except ValueError as error:  # e.g. null bytes
        return ScanReport("syntax", f"{file_name}: {error}")
    imports = _imported_modules(tree)
    for module, line in imports:
        reason = forbidden_reason(module)
        if reason:
            return ScanReport(
                "forbidden_import", f"{file_name}:{line}: {reason}", ("forbidden_import",)
            )
    return ScanReport(flags=tuple(_suspicious(tree, imports)))
