"""`python -m taskerino_storage`: the terminal command (terminal/cli.py)."""
from .terminal.cli import entry_point

if __name__ == "__main__":
    entry_point()
