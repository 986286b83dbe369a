"""Read models by view: each loads what its view shows (one cycle, one ward, one priority) and no more.

``core.queries`` re-exports them for the CLI and older callers.
"""

from sqlalchemy import ColumnElement
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from commmatters_desktop.core.enums import UNFINISHED_ACTION
from commmatters_desktop.core.models import Action


def unfinished_through_priority() -> ColumnElement[bool]:
    """``action.status IN (open, in progress)``, for queries that reach actions through their priorities
    (one quarter's, one card's).

    Written with SQLite's unary ``+``, which tells the planner not to read actions by the status index:
    without statistics it prefers that index, which leads to every open action of five years (3,800 on
    a force's vault) and then looks up each one's priority, three times slower from a cold cache than
    reading one quarter's priorities and their actions by ``priority_id``.
    """
    status = UnaryExpression(
        Action.status.expression, operator=operators.custom_op("+"), type_=Action.status.type
    )
    return status.in_(UNFINISHED_ACTION)
