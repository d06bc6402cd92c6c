"""`python -m fazhi` runs the flow once, like `fazhi run` (same options)."""
import sys

from .cli import cli, exiting

if __name__ == "__main__":
    args = sys.argv[1:]
    flow_options = args and args[0].startswith("-") and args[0] != "--version"
    try:
        cli(["run", *args] if not args or flow_options else args, prog_name="python -m fazhi")
    finally:
        exiting()
