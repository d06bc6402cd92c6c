"""Where the package's SQL and expectation suites are: beside it in a checkout, inside it in an installed wheel."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `sql` or `expectations`: fazhi/<name> in a wheel (pyproject maps it there), else <checkout>/<name>."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"fazhi is installed without its {name}/ folder (looked in {_PACKAGE} and beside it)")
