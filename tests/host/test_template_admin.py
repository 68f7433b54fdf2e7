"""Import templates managed by admins: the list names the Users to Notify, a sample file's header
and first rows are previewed (CSV in any of the accepted encodings, XLSX), the form checks the
mapping, key field, formats, cron expression and folders; other users get 404."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from bgjobs.extensions import db
from bgjobs.host.models import ImportTemplate


@pytest.fixture
def app_config(app_config, tmp_path):
    (tmp_path / "drop" / "prices").mkdir(parents=True)
    return {**app_config, "BGJOBS_DROP_ROOT": str(tmp_path / "drop")}


def form(**changes) -> dict:
    data = {"name": "Supplier feed", "module_id": "1", "map_sku": "Code", "map_title": "Name", "map_price": "",
            "map_stock": "Qty", "key_field": "sku", "formats": ["csv", "xlsx"], "notify_user_ids": ["2"],
            "drop_folder": "", "schedule": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_only_admins_see_the_template_pages(app, login):
    alice = login("alice")
    for url in ("/admin/import-templates", "/admin/import-templates/new", "/admin/import-templates/1", "/admin/actions"):
        assert alice.get(url).status_code == 404, url
    assert alice.post("/admin/import-templates/new", data=form()).status_code == 404
    assert db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Supplier feed")) is None
    assert "Import templates" not in alice.get("/modules").get_data(as_text=True)


def test_the_list_names_the_users_to_notify(app, login):
    page = login("admin").get("/admin/import-templates").get_data(as_text=True)
    row = re.search(r'<tr data-template-id="1">.*?</tr>', page, re.S).group(0)
    assert "Product price list" in row and "Bob" in row and "SKU → sku" in row
    other = re.search(r'<tr data-template-id="2">.*?</tr>', page, re.S).group(0)
    assert "nobody (user jobs)" in other


def test_an_admin_creates_and_edits_a_template(app, users, login):
    admin = login("admin")
    response = admin.post("/admin/import-templates/new", data=form())
    assert response.status_code == 302
    created = db.session.scalar(db.select(ImportTemplate).where(ImportTemplate.name == "Supplier feed"))
    assert created.mapping == {"Code": "sku", "Name": "title", "Qty": "stock"}
    assert created.key_field == "sku" and created.notify_user_ids == [users["bob"].id]
    assert created.formats == ["csv", "xlsx"] and not created.schedule_enabled
    page = admin.get(f"/admin/import-templates/{created.id}").get_data(as_text=True)
    assert 'name="map_sku" value="Code"' in page
    admin.post(f"/admin/import-templates/{created.id}", data=form(formats=["xlsx"], notify_user_ids=["2", "1"],
                                                                   drop_folder="prices", schedule="*/15 * * * *",
                                                                   schedule_enabled="1"))
    db.session.expire_all()
    edited = db.session.get(ImportTemplate, created.id)
    assert edited.formats == ["xlsx"] and sorted(edited.notify_user_ids) == sorted([users["alice"].id, users["bob"].id])
    assert edited.drop_folder == "prices" and edited.schedule == "*/15 * * * *" and edited.schedule_enabled
    page = admin.get(f"/admin/import-templates/{created.id}").get_data(as_text=True)
    assert len(re.search(r'data-testid="next-runs">Next runs: ([^<]*)<', page).group(1).split(";")) == 3


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Give the template a name."),
    ({"name": "Quick stock update"}, "name", "already called"),
    ({"map_sku": "", "map_title": "", "map_stock": ""}, "mapping", "Map at least one column"),
    ({"map_title": "Code"}, "map_title", "already mapped"),
    ({"key_field": "price"}, "key_field", "among the mapped fields"),
    ({"formats": []}, "formats", "at least one file format"),
    ({"drop_folder": "prices", "schedule": "every night"}, "schedule", "is not a cron expression"),
    ({"drop_folder": "prices", "schedule": "61 * * * *"}, "schedule", "is not a cron expression"),
    ({"drop_folder": "../outside", "schedule": "0 2 * * *"}, "drop_folder", "outside the allowed drop folder root"),
    ({"drop_folder": "/etc", "schedule": "0 2 * * *"}, "drop_folder", "outside the allowed drop folder root"),
    ({"drop_folder": "nowhere", "schedule": "0 2 * * *"}, "drop_folder", "does not exist"),
    ({"schedule_enabled": "1"}, "drop_folder", "needs the drop folder"),
])
def test_bad_template_input_is_refused_with_a_clear_message(app, login, changes, field, message):
    response = login("admin").post("/admin/import-templates/new", data=form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ImportTemplate)) == 2


def test_a_symlink_out_of_the_root_is_refused(app, login, tmp_path):
    (tmp_path / "drop" / "sneaky").symlink_to(tmp_path)
    response = login("admin").post("/admin/import-templates/new", data=form(drop_folder="sneaky", schedule="0 2 * * *"))
    assert response.status_code == 400 and "outside the allowed drop folder root" in response.get_data(as_text=True)


def preview(admin, name: str, content: bytes) -> str:
    response = admin.post("/admin/import-templates/preview", data={"sample": (io.BytesIO(content), name)},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_preview_reads_every_accepted_format(app, login):
    admin = login("admin")
    utf8 = preview(admin, "a.csv", "Code;Name;Qty\nA-1;Crème brûlée;3\nA-2;Two;4\n".encode("utf-8-sig"))
    assert "<th>Code</th><th>Name</th><th>Qty</th>" in utf8 and "Crème brûlée" in utf8
    assert "utf-8-sig" in utf8 and "delimiter “;”" in utf8
    cp1252 = preview(admin, "b.csv", "Code\tName\nB-1\tCafé\n".encode("cp1252"))
    assert "cp1252" in cp1252 and "delimiter “tab”" in cp1252 and "Café" in cp1252
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Name"])
    for n in range(8):
        sheet.append([f"X-{n}", f"Row {n}"])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = preview(admin, "c.xlsx", buffer.getvalue())
    assert "XLSX" in xlsx and "X-4" in xlsx and "X-5" not in xlsx, "the first five rows"
    assert '<option value="Code">' in xlsx, "the header feeds the mapping inputs"
    broken = preview(admin, "d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")
    assert "cannot be read as a table" in broken and "old .xls" in broken


def test_the_mapping_follows_the_chosen_module(app, login):
    html = login("admin").get("/admin/import-templates/mapping?module_id=2").get_data(as_text=True)
    assert "Campaign Assets" in html and 'name="map_sku"' in html
