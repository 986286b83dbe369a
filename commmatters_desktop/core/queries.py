"""Read models for lists and tables, by view: see ``core.read``.

This module keeps the names every caller (the CLI, reports, tests) has always imported from here;
each view's read model lives in its own module and loads only what that view shows.
"""

from __future__ import annotations

from commmatters_desktop.core.read.board import (
    PriorityCard,
    card_for,
    priority_cards,
    wards_of,
)
from commmatters_desktop.core.read.nominations import (
    AWAITING_APPROVAL,
    NominationRow,
    nomination_rows,
)
from commmatters_desktop.core.read.options import (
    Option,
    agency_options,
    cycle_codes,
    meeting_options,
    people_options,
)
from commmatters_desktop.core.read.plan import (
    PLAN_TEXT_FIELDS,
    ActionRow,
    FeedbackRow,
    MeasureRow,
    PlanDetail,
    plan_detail,
)
from commmatters_desktop.core.read.wards import (
    PastPriority,
    WardDetail,
    WardRow,
    local_authorities,
    ward_code,
    ward_detail,
    ward_rows,
)

__all__ = [
    "AWAITING_APPROVAL",
    "PLAN_TEXT_FIELDS",
    "ActionRow",
    "FeedbackRow",
    "MeasureRow",
    "NominationRow",
    "Option",
    "PastPriority",
    "PlanDetail",
    "PriorityCard",
    "WardDetail",
    "WardRow",
    "agency_options",
    "card_for",
    "cycle_codes",
    "local_authorities",
    "meeting_options",
    "nomination_rows",
    "people_options",
    "plan_detail",
    "priority_cards",
    "ward_code",
    "ward_detail",
    "ward_rows",
    "wards_of",
]
