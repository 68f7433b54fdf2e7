"""After login the browser goes only to a path on this site, whatever `next` says."""
import re
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD

HOSTILE = [
    "/%09/evil.example/", "/\t/evil.example/", "/%0a/evil.example", "/%0d/evil.example", "/\n/evil.example",
    "//evil.example/", "///evil.example", "/\\evil.example", "\\\\evil.example", "/%5Cevil.example",
    "/%2F/evil.example", "%2F%2Fevil.example", "https://evil.example/", "http:evil.example",
    "javascript:alert(1)", "evil.example", " //evil.example", "/%20/evil.example", "/\u3000/evil.example",
    "/%E3%80%80/evil.example", "/\x00/evil.example", "/%00/evil.example", "/\u200b/evil.example",
]
SAFE = ["/jobs?tab=system", "/modules/1?batch=abc", "/jobs"]


def login_to(app, next_value: str) -> str:
    client = app.test_client()
    with app.app_context():
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(f"/login?next={quote(next_value, safe='')}",
                               data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize("next_value", HOSTILE)
def test_hostile_next_values_go_to_the_panel(app, next_value):
    # The form sends `next` percent-encoded once more; each hostile value is tried as it is.
    assert login_to(app, next_value) == "/jobs"


@pytest.mark.parametrize("next_value", SAFE)
def test_same_site_paths_are_kept(app, next_value):
    assert login_to(app, next_value) == next_value


def test_the_reported_url_no_longer_redirects_off_site(app):
    client = app.test_client()
    with app.app_context():
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/login?next=/%09/evil.example/",
                               data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/jobs"
