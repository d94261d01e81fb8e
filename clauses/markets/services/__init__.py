"""Every write on markets, split by sub-domain: a market and its status (`market`), its lots,
contractors and social considerations (`lots`), meetings (`meetings`), operations
(`operations`), a coordination's presets and clause templates (`territory`). The hour
calculator is `clauses.markets.calculator`, the import of a spreadsheet
`clauses.markets.imports`.

Callers import from the package (`from clauses.markets import services`;
`services.create_market(...)`): the names below are its API.
"""

from clauses.markets.presets import presets_for
from clauses.markets.services.common import MIN_REASON_LENGTH, department_code_of
from clauses.markets.services.lots import (
    add_contractor,
    company_for_siret,
    override_hours,
    remove_consideration,
    remove_contractor,
    save_lot,
    set_consideration,
)
from clauses.markets.services.market import (
    MARKET_FIELDS,
    SINGLE_LOT_TITLE,
    ConversionPlan,
    change_status,
    clean_market_fields,
    conversion_plan,
    create_market,
    create_market_from_request,
    delete_market,
    lots_missing_social_condition,
    obligation_for,
    record_derogation,
    social_condition_errors,
    step_date_errors,
    update_market,
)
from clauses.markets.services.meetings import invite_to_meeting, schedule_meeting, update_meeting
from clauses.markets.services.operations import create_operation
from clauses.markets.services.territory import (
    reset_clause_template,
    save_clause_template,
    save_hour_preset,
)

__all__ = [
    "MARKET_FIELDS",
    "MIN_REASON_LENGTH",
    "SINGLE_LOT_TITLE",
    "ConversionPlan",
    "add_contractor",
    "change_status",
    "clean_market_fields",
    "conversion_plan",
    "company_for_siret",
    "create_market",
    "create_market_from_request",
    "create_operation",
    "delete_market",
    "department_code_of",
    "invite_to_meeting",
    "lots_missing_social_condition",
    "obligation_for",
    "override_hours",
    "presets_for",
    "record_derogation",
    "remove_consideration",
    "remove_contractor",
    "reset_clause_template",
    "save_clause_template",
    "save_hour_preset",
    "save_lot",
    "schedule_meeting",
    "set_consideration",
    "social_condition_errors",
    "step_date_errors",
    "update_market",
    "update_meeting",
]
