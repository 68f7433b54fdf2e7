"""Forms keep what the user entered: a start form's mistake is answered in place (HTMX) and a
wrong password keeps the user name."""
import re

HX = {"HX-Request": "true"}


def test_a_bulk_form_mistake_is_answered_in_place(app, login):
    alice = login("alice")
    bad = alice.post("/start/bulk_edit", headers=HX,
                     data={"module_id": "1", "item_ids": ["5", "6"], "field": "price", "value": "cheap"})
    assert bad.status_code == 200 and bad.headers["HX-Retarget"] == "#error-bulk_edit"
    assert bad.headers["HX-Reswap"] == "innerHTML" and "HX-Redirect" not in bad.headers
    assert "Price must be a number, not “cheap”." in bad.get_data(as_text=True)
    page = alice.get("/modules/1").get_data(as_text=True)
    assert 'id="error-bulk_edit"' in page and 'hx-post="/start/bulk_edit"' in page


def test_a_good_start_from_htmx_redirects_to_the_panel(app, login):
    alice = login("alice")
    good = alice.post("/start/bulk_edit", headers=HX,
                      data={"module_id": "1", "item_ids": ["5", "6"], "field": "price", "value": "12"})
    assert good.status_code == 200 and good.headers["HX-Redirect"] == "/jobs?tab=user"
    assert "Started: Products: set Price on 2 items" in alice.get("/jobs").get_data(as_text=True)


def test_a_wrong_password_keeps_the_user_name(app, login):
    anonymous = login(None)
    page = anonymous.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = anonymous.post("/login", data={"username": "alice", "password": "nope", "csrf_token": token})
    text = wrong.get_data(as_text=True)
    assert "Wrong user name or password." in text and 'value="alice"' in text
