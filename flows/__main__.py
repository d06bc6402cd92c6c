"""`python -m flows` runs the flow once, like `fazhi run` (same options)."""
import sys

from .cli import cli

if __name__ == "__main__":
    args = sys.argv[1:]
    cli(["run", *args] if not args or args[0].startswith("-") else args, prog_name="python -m flows")
