"""The JSON API: the same rules as the panel, with session or Bearer-token auth."""
from bgjobs.extensions import db
from tests.helpers import force_status, job


def bearer(app, users, name="alice"):
    token = users[name].issue_api_token()
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_job_types_list_labels_capabilities_and_parameters(app, login):
    types = {t["id"]: t for t in login("alice").get("/api/job-types").get_json()["job_types"]}
    assert len(types) == 16
    assert types["module_export"]["capabilities"] == {"stop": True, "download": True, "open": []}
    assert types["bulk_change_status"]["capabilities"] == {"stop": False, "download": False, "open": ["module"]}
    assert types["cas_merge_pdf"]["capabilities"] == {"stop": False, "download": True, "open": ["item", "studio"]}
    stoppable = {i for i, t in types.items() if t["capabilities"]["stop"]}
    assert stoppable == {"module_export", "report_download", "run_converters", "generate_missing_previews", "clean_media_holders"}
    assert [p["name"] for p in types["module_export"]["parameters"]] == ["module_id", "fields", "format", "batch_id"]
    available = {i for i, t in types.items() if t["available"]}
    assert available == set(types)  # every type of DESIGN.md section 4 is offered
    assert [p["name"] for p in types["bulk_edit"]["parameters"]] == ["module_id", "item_ids", "scope", "batch_id", "values"]
    assert all(t["parameters"] == [] for t in types.values() if not t["available"])
    assert [p["name"] for p in types["run_converters"]["parameters"]] == ["module_id", "converter_ids", "item_ids", "batch_id"]


def test_create_get_list_download_delete_with_a_token(app, client, users, work):
    auth = bearer(app, users)
    created = client.post("/api/jobs", json={"type": "module_export", "params": {"module_id": 1, "format": "csv"}}, headers=auth)
    assert created.status_code == 202
    job_id = created.get_json()["id"]
    assert created.get_json()["status"] == "created"
    work()
    data = client.get(f"/api/jobs/{job_id}", headers=auth).get_json()
    assert data["status"] == "completed" and data["progress"] == {"done": 40, "total": 40, "message": "Exported 40 of 40 items"}
    assert data["file"]["name"] == "products-export.csv"
    download = client.get(data["links"]["download"], headers=auth)
    assert download.status_code == 200 and download.data.startswith(b"id,sku")
    listed = client.get("/api/jobs?status=completed", headers=auth).get_json()
    assert [j["id"] for j in listed["jobs"]] == [job_id] and listed["next"] is None
    assert client.delete(f"/api/jobs/{job_id}", headers=auth).status_code == 204
    assert client.get(f"/api/jobs/{job_id}", headers=auth).status_code == 404


def test_api_pages_by_cursor(app, client, users):
    auth = bearer(app, users)
    ids = [client.post("/api/jobs", json={"type": "module_export", "params": {"module_id": 1}, "force": True}, headers=auth).get_json()["id"]
           for _ in range(17)]
    first = client.get("/api/jobs", headers=auth).get_json()
    second = client.get(f"/api/jobs?after={first['next']}", headers=auth).get_json()
    seen = [j["id"] for j in first["jobs"] + second["jobs"]]
    assert len(first["jobs"]) == 15 and sorted(seen) == sorted(ids) and len(set(seen)) == 17


def test_bad_requests_get_clear_errors(app, client, users):
    auth = bearer(app, users)
    cases = [
        ({"type": "nope"}, "Unknown job type"),
        ({"type": "module_export", "params": {"module_id": 999}}, "That module does not exist."),
        ({"type": "module_export", "params": {"module_id": 1, "format": "pdf"}}, "CSV or XLSX"),
        ({"type": "module_export", "params": {"module_id": 1, "fields": ["colour"]}}, "no field named colour"),
        ({"type": "run_converters", "params": {"module_id": 1}}, "Choose at least one converter."),
        ({"params": {}}, "Send JSON like"),
    ]
    for body, message in cases:
        response = client.post("/api/jobs", json=body, headers=auth)
        assert response.status_code == 400 and message in response.get_json()["error"], body
    assert client.get("/api/jobs?status=bogus", headers=auth).status_code == 400
    assert client.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_api_stop_and_delete_rules(app, client, users):
    auth = bearer(app, users)
    job_id = client.post("/api/jobs", json={"type": "module_export", "params": {"module_id": 1}}, headers=auth).get_json()["id"]
    assert client.delete(f"/api/jobs/{job_id}", headers=auth).status_code == 409
    stopped = client.post(f"/api/jobs/{job_id}/stop", headers=auth)
    assert stopped.status_code == 202 and stopped.get_json()["status"] == "stopped"
    assert client.post(f"/api/jobs/{job_id}/stop", headers=auth).status_code == 409
    bob = bearer(app, users, "bob")
    assert client.get(f"/api/jobs/{job_id}", headers=bob).status_code == 404
    assert job(job_id).status == "stopped"


def test_api_download_after_expiry_is_410(app, client, users, work):
    auth = bearer(app, users)
    job_id = client.post("/api/jobs", json={"type": "module_export", "params": {"module_id": 1}}, headers=auth).get_json()["id"]
    work()
    force_status(job_id, "expired")
    response = client.get(f"/api/jobs/{job_id}/download", headers=auth)
    assert response.status_code == 410 and "deleted" in response.get_json()["error"]
