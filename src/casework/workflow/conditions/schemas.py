"""Closure conditions as the API takes them: `{name, formula}`, the formula compiled at save time.

The leading `=` of a Tines formula is optional: `=SIZE(team_case.assignees) > 0` and `SIZE(team_case.assignees) > 0`
are the same condition, kept as written. A formula that does not parse is refused when it is saved (a 422 naming
`closure_conditions.N.formula` with the line and column), never when the case closes.
"""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from casework.i18n import _
from casework.inputs import StrictInput
from casework.workflow.formula import MAX_SOURCE_LENGTH, FormulaSyntaxError, parse

MAX_CONDITIONS = 50
MAX_NAME_LENGTH = 100


class ClosureCondition(StrictInput):
    name: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)] = Field(
        description="1 to 100 characters, not blank, unique among the list's; refusals name it in `failing_conditions`."
    )
    formula: Annotated[str, StringConstraints(max_length=MAX_SOURCE_LENGTH)] = Field(
        description="A formula in the Tines style, e.g. `=SIZE(team_case.assignees) > 0`; the leading `=` is optional."
    )

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("must not be blank"))
        return value

    @field_validator("formula")
    @classmethod
    def _formula_parses(cls, value: str) -> str:
        try:
            parse(value)
        except FormulaSyntaxError as exc:
            raise ValueError(
                _(
                    "syntax error at line {line}, column {column}: {reason}",
                    line=exc.line,
                    column=exc.column,
                    reason=exc.message,
                )
            ) from None
        return value


def _unique_names(conditions: list[ClosureCondition]) -> list[ClosureCondition]:
    seen: set[str] = set()
    for condition in conditions:
        if condition.name in seen:
            raise ValueError(_("the condition name {name} is used twice", name=condition.name))
        seen.add(condition.name)
    return conditions


ClosureConditions = Annotated[list[ClosureCondition], Field(max_length=MAX_CONDITIONS), AfterValidator(_unique_names)]
