"""Run in a worker process by tests/test_parallel.py: which of the named modules it has imported."""
import sys


def imported(names: tuple[str, ...]) -> dict[str, bool]:
    """Each name -> whether this process has imported it."""
    return {name: name in sys.modules for name in names}
