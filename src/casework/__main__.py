"""`python -m casework`: the `casework` command."""

from casework.cli import app

# Guarded: importing the module (as tests/test_imports.py does with every module) must not run the command.
if __name__ == "__main__":
    app(prog_name="casework")
