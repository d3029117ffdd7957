"""`python -m casework`: the `casework` command."""

from casework.cli import app

app(prog_name="casework")
