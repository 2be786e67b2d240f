"""/api/teeth, /api/procedure-codes, /api/fee-schedules and the chart —
thin: parse, call a selector or service, shape the answer."""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Path, Query, Router, Status
from ninja.files import UploadedFile

from chairside.accounts.auth import jwt_auth
from chairside.core.errors import ChairsideError, ErrorCode
from chairside.core.openapi import with_errors
from chairside.core.types import MAX_BIGINT
from chairside.dental import catalogue, catalogue_import, selectors, services
from chairside.dental.schemas import (
    ChartEntryIn,
    ChartEntryOut,
    ChartOut,
    ChartSettingsIn,
    ChartSettingsOut,
    CompleteIn,
    FeeScheduleIn,
    FeeScheduleOut,
    FeesIn,
    ImportOut,
    InvalidateIn,
    MyNotationIn,
    NotationQuery,
    PatientFeeScheduleIn,
    ProcedureCodeFilter,
    ProcedureCodeIn,
    ProcedureCodeOut,
    ProcedureCodePatch,
    StatusIn,
    ToothOut,
    entry_out,
)
from chairside.dental.teeth import NAMES, TEETH, Notation
from chairside.patients import selectors as patient_selectors

router = Router(tags=["dental"], auth=jwt_auth)

ObjectId = Path(..., ge=1, le=MAX_BIGINT)
# The CSV's limit plus room for the multipart envelope.
IMPORT_MAX_REQUEST = catalogue_import.MAX_BYTES + 64 * 1024
CsvFile = File(None)  # optional, so a missing file is our own 422


@router.get("/teeth", response=with_errors({200: list[ToothOut]}))
def list_teeth(request: HttpRequest, query: Query[NotationQuery]) -> Any:
    notation = (
        Notation(query.notation)
        if query.notation
        else selectors.notation_for(user=request.auth)
    )
    return [
        {
            "fdi": t.fdi,
            "universal": t.universal,
            "palmer": t.palmer,
            "name": t.name(notation),
            "dentition": t.dentition,
            "arch": t.arch,
            "quadrant": t.quadrant,
            "sextant": t.sextant,
            "is_anterior": t.is_anterior,
        }
        for t in TEETH
    ]


@router.get("/procedure-codes", response=with_errors({200: list[ProcedureCodeOut]}))
def list_procedure_codes(
    request: HttpRequest, filters: Query[ProcedureCodeFilter]
) -> Any:
    return list(
        selectors.procedure_code_list(
            user=request.auth, q=filters.q, active=filters.active
        )
    )


@router.post(
    "/procedure-codes", response=with_errors({HTTPStatus.CREATED: ProcedureCodeOut})
)
def create_procedure_code(request: HttpRequest, payload: ProcedureCodeIn) -> Any:
    code = catalogue.procedure_code_create(actor=request.auth, **payload.model_dump())
    return Status(HTTPStatus.CREATED, code)


# Before /procedure-codes/{code_id}, which would take "import" as an id.
@router.post("/procedure-codes/import", response=with_errors({200: ImportOut}))
def import_procedure_codes(
    request: HttpRequest, file: UploadedFile | None = CsvFile
) -> Any:
    """A multipart form with the CSV in `file` (catalogue_import.py)."""
    # Refused before anything is read: past the limit, whatever it holds.
    if int(request.META.get("CONTENT_LENGTH") or 0) > IMPORT_MAX_REQUEST:
        raise RequestDataTooBig(_("The request body is too large."))
    if file is None:
        raise ChairsideError(
            _("Send the CSV file in the form field “file”."),
            code=ErrorCode.VALIDATION_FAILED,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
            details={"field": "file"},
        )
    # One byte past the limit is enough for the import to refuse it.
    content = file.read(catalogue_import.MAX_BYTES + 1)
    return catalogue_import.procedure_codes_import(actor=request.auth, content=content)


@router.patch(
    "/procedure-codes/{code_id}", response=with_errors({200: ProcedureCodeOut})
)
def update_procedure_code(
    request: HttpRequest, payload: ProcedureCodePatch, code_id: int = ObjectId
) -> Any:
    code = selectors.procedure_code_get(user=request.auth, code_id=code_id)
    return catalogue.procedure_code_update(
        actor=request.auth,
        procedure_code=code,
        changes=payload.model_dump(exclude_unset=True, exclude_none=True),
    )


@router.get("/fee-schedules", response=with_errors({200: list[FeeScheduleOut]}))
def list_fee_schedules(request: HttpRequest) -> Any:
    return list(selectors.fee_schedule_list(user=request.auth))


@router.post(
    "/fee-schedules", response=with_errors({HTTPStatus.CREATED: FeeScheduleOut})
)
def create_fee_schedule(request: HttpRequest, payload: FeeScheduleIn) -> Any:
    schedule = catalogue.fee_schedule_create(
        actor=request.auth, name=payload.name, is_standard=payload.is_standard
    )
    return Status(HTTPStatus.CREATED, schedule)


@router.put(
    "/fee-schedules/{schedule_id}/fees", response=with_errors({200: FeeScheduleOut})
)
def set_fee_schedule_fees(
    request: HttpRequest, payload: FeesIn, schedule_id: int = ObjectId
) -> Any:
    schedule = selectors.fee_schedule_get(user=request.auth, schedule_id=schedule_id)
    catalogue.fee_schedule_set_fees(
        actor=request.auth,
        schedule=schedule,
        fees={f.procedure_code_id: f.fee for f in payload.fees},
    )
    return selectors.fee_schedule_get(user=request.auth, schedule_id=schedule_id)


@router.put(
    "/patients/{patient_id}/fee-schedule",
    response=with_errors({HTTPStatus.NO_CONTENT: None}),
)
def set_patient_fee_schedule(
    request: HttpRequest, payload: PatientFeeScheduleIn, patient_id: int = ObjectId
) -> Any:
    patient = patient_selectors.patient_get(user=request.auth, patient_id=patient_id)
    schedule = (
        selectors.fee_schedule_get(user=request.auth, schedule_id=payload.schedule_id)
        if payload.schedule_id is not None
        else None
    )
    catalogue.patient_fee_schedule_set(
        actor=request.auth, patient=patient, schedule=schedule
    )
    return Status(HTTPStatus.NO_CONTENT, None)


def _chart_out(chart: services.Chart) -> dict[str, Any]:
    names = NAMES[chart.notation]
    return {
        "patient_id": chart.patient.pk,
        "notation": chart.notation,
        "entries": [
            entry_out(e, chart.notation, chart.show_notes) for e in chart.entries
        ],
        "teeth": [
            {**vars(state), "name": names[fdi]} for fdi, state in chart.teeth.items()
        ],
    }


@router.get("/patients/{patient_id}/chart", response=with_errors({200: ChartOut}))
def get_patient_chart(request: HttpRequest, patient_id: int = ObjectId) -> Any:
    patient = patient_selectors.patient_get(user=request.auth, patient_id=patient_id)
    return _chart_out(services.patient_chart(actor=request.auth, patient=patient))


def _entry_answer(request: HttpRequest, entry: Any) -> dict[str, Any]:
    return entry_out(
        entry,
        selectors.notation_for(user=request.auth),
        show_notes=True,  # only clinicians write entries
    )


@router.post(
    "/patients/{patient_id}/chart/entries",
    response=with_errors({HTTPStatus.CREATED: ChartEntryOut}),
)
def create_chart_entry(
    request: HttpRequest, payload: ChartEntryIn, patient_id: int = ObjectId
) -> Any:
    patient = patient_selectors.patient_get(user=request.auth, patient_id=patient_id)
    entry = services.chart_entry_create(
        actor=request.auth, patient=patient, **payload.model_dump()
    )
    return Status(HTTPStatus.CREATED, _entry_answer(request, entry))


@router.post(
    "/chart-entries/{entry_id}/complete", response=with_errors({200: ChartEntryOut})
)
def complete_chart_entry(
    request: HttpRequest, payload: CompleteIn, entry_id: int = ObjectId
) -> Any:
    entry = selectors.chart_entry_get(user=request.auth, entry_id=entry_id)
    entry = services.chart_entry_complete(
        actor=request.auth,
        entry=entry,
        dentist_id=payload.dentist_id,
        performed_on=payload.performed_on,
    )
    return _entry_answer(request, entry)


@router.post(
    "/chart-entries/{entry_id}/invalidate", response=with_errors({200: ChartEntryOut})
)
def invalidate_chart_entry(
    request: HttpRequest, payload: InvalidateIn, entry_id: int = ObjectId
) -> Any:
    entry = selectors.chart_entry_get(user=request.auth, entry_id=entry_id)
    entry = services.chart_entry_invalidate(
        actor=request.auth, entry=entry, reason=payload.reason
    )
    return _entry_answer(request, entry)


@router.post(
    "/chart-entries/{entry_id}/status", response=with_errors({200: ChartEntryOut})
)
def set_chart_entry_status(
    request: HttpRequest, payload: StatusIn, entry_id: int = ObjectId
) -> Any:
    entry = selectors.chart_entry_get(user=request.auth, entry_id=entry_id)
    entry = services.chart_entry_set_status(
        actor=request.auth, entry=entry, status=payload.status
    )
    return _entry_answer(request, entry)


def _settings_out(request: HttpRequest) -> dict[str, Any]:
    return {
        "default_notation": selectors.clinic_notation(),
        "notation": selectors.notation_for(user=request.auth),
    }


@router.get("/chart/settings", response=with_errors({200: ChartSettingsOut}))
def get_chart_settings(request: HttpRequest) -> Any:
    return _settings_out(request)


@router.put("/chart/settings", response=with_errors({200: ChartSettingsOut}))
def update_chart_settings(request: HttpRequest, payload: ChartSettingsIn) -> Any:
    services.chart_settings_set(
        actor=request.auth, default_notation=payload.default_notation
    )
    return _settings_out(request)


@router.put("/chart/settings/mine", response=with_errors({200: ChartSettingsOut}))
def update_my_notation(request: HttpRequest, payload: MyNotationIn) -> Any:
    services.notation_preference_set(actor=request.auth, notation=payload.notation)
    return _settings_out(request)
