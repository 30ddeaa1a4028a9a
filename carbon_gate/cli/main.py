"""The `carbon-gate` command line: the group and `main`. Errors become exit codes in one place,
`exit_codes.reported`.

Exit codes: 0 pass, 1 over budget, 2 usage or budget-file error, 3 measurement or internal error.

Laid out so that `carbon-gate --help` stays instant. Each command's work is a module of its own
(`validate`, `estimate`, `init`, `measure`, `check`, `report`, `comment`) that takes its flags as
values (`options`) and imports what it needs, codecarbon included. The click declarations are
grouped in two light modules, `budget_commands` and `gate_commands`, over the shared `flags`; a
declaration imports its command's module only when the command runs. --help reads every
declaration to list the commands, so it imports click and these light modules, nothing heavy
(tests/test_cli.py checks it). Click's lazy groups would not do: listing a command loads it.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from carbon_gate import __version__, output
from carbon_gate.cli import budget_commands, gate_commands, history_commands
from carbon_gate.cli.exit_codes import reported


class _Group(click.Group):
    """Runs a command, prints any error it raises, and exits with the code the command returned."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            code = super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise  # click's own: `main` shows them
        except Exception as error:
            ctx.exit(reported(error))
        ctx.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="carbon-gate")
def cli() -> None:
    """A carbon-budget gate for machine-learning repositories.

    Estimates the life-cycle CO2eq of a model (search, training, inference in the field) from a
    committed budget file, and fails when a budget is exceeded.
    """


for _command in (
    budget_commands.validate,
    budget_commands.estimate,
    gate_commands.measure,
    gate_commands.check,
    gate_commands.report,
    gate_commands.comment,
    gate_commands.pending,
    history_commands.history,
    budget_commands.init,
    budget_commands.schema,
    budget_commands.hardware,
):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors are printed without a traceback."""
    try:
        code = cli.main(args=argv, prog_name="carbon-gate", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        output.message("aborted")
        return 130
    return code if isinstance(code, int) else 0
