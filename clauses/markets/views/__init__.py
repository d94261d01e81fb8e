"""Pages of markets, split by sub-domain: the hour calculator (`calculator`, public), the lists
and a market's page with its actions and the conversion of a desk request (`market`), lots,
considerations and the clause text (`lots`), operations (`operations`), the import of a
buyer's markets (`imports`), a coordination's territory settings (`territory`).

`urls.py` uses the package (`views.market_list`): the names below are its API.
"""

from clauses.markets.views.calculator import calculator, preset_rows
from clauses.markets.views.imports import import_markets, import_template
from clauses.markets.views.lots import (
    add_contractor,
    clause,
    clause_docx,
    clause_odt,
    consideration_form,
    lot_form,
    override_hours,
    remove_consideration,
    remove_contractor,
)
from clauses.markets.views.market import (
    change_status,
    convert_request,
    detail,
    invite_to_meeting,
    market_create,
    market_delete,
    market_edit,
    market_list,
    record_derogation,
    schedule_meeting,
)
from clauses.markets.views.operations import operation_create, operation_detail, operation_list
from clauses.markets.views.territory import (
    clause_template_form,
    clause_template_reset,
    preset_form,
    territory,
    territory_index,
)

__all__ = [
    "add_contractor",
    "calculator",
    "change_status",
    "clause",
    "clause_docx",
    "clause_odt",
    "clause_template_form",
    "clause_template_reset",
    "consideration_form",
    "convert_request",
    "detail",
    "import_markets",
    "import_template",
    "invite_to_meeting",
    "lot_form",
    "market_create",
    "market_delete",
    "market_edit",
    "market_list",
    "operation_create",
    "operation_detail",
    "operation_list",
    "override_hours",
    "preset_form",
    "preset_rows",
    "record_derogation",
    "remove_consideration",
    "remove_contractor",
    "schedule_meeting",
    "territory",
    "territory_index",
]
