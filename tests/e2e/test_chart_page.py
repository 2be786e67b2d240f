"""The chart page in a browser: a dentist clicks a surface, picks a code
with the type-ahead, saves, and sees the surface turn red without the page
reloading; then charts a tooth with the keyboard only. Screenshots at a
desk's width (1280 px) and a phone's (390 px)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pgtrigger
import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from conftest import PASSWORD, world_user

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def chart_patient(django_db_blocker):
    """A committed patient and two codes of alpha's catalogue, removed
    afterwards with the entries the test charts (chart entries are never
    deleted in the app: the trigger is lifted for this clean-up only)."""
    from chairside.dental import catalogue
    from chairside.dental.models import ChartEntry, ProcedureCode
    from chairside.patients.models import Patient
    from tenants.models import Clinic

    tag = uuid.uuid4().hex[:6].upper()
    with django_db_blocker.unblock():
        alpha = Clinic.objects.get(slug="alpha")
        with schema_context(alpha.schema_name):
            admin = world_user(alpha, "admin")
            for code, text, area, effect, fee in (
                ("COMP", "Composite filling", "surface", "filling", "120.00"),
                ("CROWN", "Ceramic crown", "tooth", "crown", "950.00"),
            ):
                catalogue.procedure_code_create(
                    actor=admin,
                    code=f"E2E{tag}-{code}",
                    short_description=text,
                    category="restorative",
                    area=area,
                    effect=effect,
                    default_fee=Decimal(fee),
                )
            patient = Patient.objects.create(
                first_name="Charlie",
                last_name="Chartwell",
                email=f"chart-{tag.lower()}@alpha.example",
            )
        yield alpha, patient, tag
        with schema_context(alpha.schema_name):
            with pgtrigger.ignore("dental.ChartEntry:entry_no_delete"):
                ChartEntry.objects.filter(patient=patient).delete()
            ProcedureCode.objects.filter(code__startswith=f"E2E{tag}").delete()
            patient.delete()


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _surface(page: Page, tooth: int, surface: str):
    return page.locator(f'svg .tooth[data-tooth="{tooth}"] [data-surface="{surface}"]')


def test_dentist_charts_a_surface_in_place_and_by_keyboard(
    page: Page, live_server, chart_patient, shot
):
    _alpha, patient, tag = chart_patient
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(DESK)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, base, "dentist@alpha.test")
    page.goto(f"{base}/app/patients/{patient.pk}/")
    page.get_by_role("link", name="Chart", exact=True).click()
    expect(page.locator("svg.odontogram")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    _chart_by_mouse(page, tag, shot)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    _chart_by_keyboard(page, tag)
    _invalidate(page)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    _phone(page, shot)
    assert not errors, errors


def _chart_by_mouse(page: Page, tag: str, shot) -> None:
    """The occlusal surface of 16, a code from the type-ahead, save."""
    _surface(page, 16, "O").click()
    expect(page.locator("#chart-selection")).to_have_text("16 O")
    page.fill("#id_code_query", f"e2e{tag}-co")
    option = page.locator(".code-option", has_text="Composite filling")
    expect(option).to_be_visible()
    shot(page, "typeahead")
    option.click()
    expect(page.locator("#id_code_query")).to_have_value(f"E2E{tag}-COMP")
    page.get_by_role("button", name="Save to chart").click()

    expect(_surface(page, 16, "O")).to_have_class("surface planned")
    expect(_surface(page, 16, "M")).to_have_class("surface")
    expect(page.locator("#entries-table")).to_contain_text(f"E2E{tag}-COMP")
    expect(page.locator("#entries-table")).to_contain_text("120.00")
    fill = _surface(page, 16, "O").evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(198, 40, 40)", fill  # planned red
    shot(page, "desk-saved")


def _chart_by_keyboard(page: Page, tag: str) -> None:
    """Tab into the chart, arrows to 47, Enter, O and D, a code, Enter."""
    page.locator("#odontogram-heading").click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.tooth === '18'"):
            break
    else:
        pytest.fail("Tab never reached the first tooth")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.tooth") == "47"
    page.keyboard.press("Enter")
    page.keyboard.press("o")
    page.keyboard.press("d")
    expect(page.locator("#id_tooth")).to_have_value("47")
    expect(page.locator("#chart-selection")).to_have_text("47 OD")
    page.locator("#id_code_query").focus()
    page.keyboard.type(f"e2e{tag}-comp")
    expect(page.locator(".code-option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_code_query")).to_have_value(f"E2E{tag}-COMP")
    page.keyboard.press("Enter")  # submits the form
    expect(_surface(page, 47, "O")).to_have_class("surface planned")
    expect(_surface(page, 47, "D")).to_have_class("surface planned")
    expect(_surface(page, 47, "M")).to_have_class("surface")


def _invalidate(page: Page) -> None:
    """The 47 entry was a mistake: invalidated with a reason, it leaves the
    drawing and the list, and the history toggle shows it struck through."""
    row = page.locator('#entries-table tr.entry[data-tooth="47"]')
    row.locator("summary").click()
    row.get_by_label("Reason").fill("Charted on the wrong tooth")
    row.get_by_role("button", name="Invalidate").click()
    expect(page.locator(".alert.success")).to_contain_text("invalidated")
    expect(_surface(page, 47, "O")).to_have_class("surface")
    invalidated = page.locator('#entries-table tr.invalidated[data-tooth="47"]')
    expect(invalidated).to_be_hidden()
    page.get_by_role("button", name="Show invalidated entries").click()
    expect(invalidated).to_be_visible()
    expect(invalidated).to_contain_text("Charted on the wrong tooth")
    decoration = invalidated.locator("td").first.evaluate(
        "el => getComputedStyle(el).textDecorationLine"
    )
    assert decoration == "line-through", decoration


def _phone(page: Page, shot) -> None:
    """The drawing fits a phone's screen, nothing runs off it."""
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("svg.odontogram")).to_be_visible()
    width = page.locator("svg.odontogram").bounding_box()["width"]
    assert width <= PHONE["width"], width
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    # The drawing's surfaces are small on a phone: the form's large picker
    # takes the finger (26 is upper left: its distal side on the right).
    page.locator('.tooth[data-tooth="26"] .root').first.click()
    page.locator('[data-picker] [data-pick="right"]').click()
    expect(page.locator("input[name=surfaces][value=D]")).to_be_checked()
    expect(page.locator("#chart-selection")).to_have_text("26 D")
    shot(page, "phone")


@pytest.fixture
def charted(chart_patient, django_db_blocker):
    """The patient's chart with one of each kind of mark (committed; the
    chart_patient fixture removes it)."""
    from chairside.dental import catalogue, services
    from chairside.dental.models import ProcedureCode

    alpha, patient, tag = chart_patient
    with django_db_blocker.unblock(), schema_context(alpha.schema_name):
        admin = world_user(alpha, "admin")
        dentist = world_user(alpha, "dentist")
        for code, area, effect in (
            ("EXT", "tooth", "extracted"),
            ("RCT", "tooth", "root_canal"),
            ("IMPL", "tooth", "implant"),
            ("BRIDGE", "tooth_range", "bridge"),
        ):
            catalogue.procedure_code_create(
                actor=admin, code=f"E2E{tag}-{code}", short_description=code.title(),
                category="other", area=area, effect=effect,
            )  # fmt: skip
        code = {c.code.split("-")[-1]: c.code for c in ProcedureCode.objects.all()}

        def add(**fields):
            services.chart_entry_create(
                actor=dentist, patient=patient, **({"kind": "procedure"} | fields)
            )

        add(procedure_code=code["COMP"], tooth="16", surfaces="MO", status="planned")
        add(procedure_code=code["COMP"], tooth="26", surfaces="DO", status="completed")
        add(procedure_code=code["CROWN"], tooth="36", status="completed")
        add(procedure_code=code["CROWN"], tooth="11", status="planned")
        add(procedure_code=code["RCT"], tooth="46", status="existing_elsewhere")
        add(procedure_code=code["IMPL"], tooth="24", status="existing_here")
        add(procedure_code=code["EXT"], tooth="38", status="planned")
        add(procedure_code=code["EXT"], tooth="48", status="completed")
        add(procedure_code=code["BRIDGE"], tooth="33", tooth_to="35", status="planned")
        add(kind="condition", condition="caries", tooth="17", surfaces="O",
            status="existing_here")  # fmt: skip
        add(kind="condition", condition="fracture", tooth="21",
            status="existing_here")  # fmt: skip
        add(kind="condition", condition="missing", tooth="18", status="existing_here")
    return chart_patient


def test_receptionist_sees_the_chart_read_only(page: Page, live_server, charted, shot):
    _alpha, patient, _tag = charted
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(DESK)
    _sign_in(page, base, "receptionist@alpha.test")
    page.goto(f"{base}/app/patients/{patient.pk}/chart/")

    expect(page.locator("svg.odontogram")).to_be_visible()
    expect(page.locator("#chart-form")).to_have_count(0)
    expect(page.get_by_text("You can read this chart")).to_be_visible()
    expect(page.locator(".tooth.absent")).to_have_count(2)  # 18 missing, 48 out
    shot(page, "read-only")
    page.set_viewport_size(PHONE)
    shot(page, "read-only-phone")
    page.set_viewport_size(DESK)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    shot(page, "print")


def test_admin_imports_a_catalogue_file_with_errors_and_fixes_it(
    page: Page, live_server, chart_patient, shot, tmp_path
):
    from chairside.dental.catalogue_import import HEADER

    _alpha, _patient, tag = chart_patient
    base = f"http://alpha.localhost:{live_server}"
    page.set_viewport_size(DESK)
    _sign_in(page, base, "admin@alpha.test")
    page.goto(f"{base}/app/settings/")
    page.get_by_role("link", name="Procedure catalogue").click()
    expect(page.get_by_role("link", name=f"E2E{tag}-CROWN")).to_be_visible()
    page.fill("#code-search", f"e2e{tag}-cr")
    expect(page.locator("#code-results")).not_to_contain_text(f"E2E{tag}-COMP")
    shot(page, "catalogue")

    bad = tmp_path / "codes.csv"
    bad.write_text(
        ",".join(HEADER) + "\n"
        f"E2E{tag}-NEW,New one,,diagnostic,mouth,20,45.00,no,no,yes\n"
        f"E2E{tag} BAD,Spaces,,diagnostic,elbow,20,45.00,no,no,yes\n"
    )
    page.get_by_role("link", name="Import CSV").click()
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-errors")).to_contain_text("Unknown treatment area")
    expect(page.locator(".import-errors tbody tr")).to_have_count(2)
    shot(page, "import-refused")
    page.set_viewport_size(PHONE)
    shot(page, "import-refused-phone")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
