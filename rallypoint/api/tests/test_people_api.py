"""The people endpoints: sessions with CSRF, visibility, validation, query counts, docs."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User

ME = "/api/v1/me"
PEOPLE = "/api/v1/people"


def _patch(client, body: object, **headers: str):
    return client.patch(ME, data=json.dumps(body), content_type="application/json", headers=headers)


# ---------------------------------------------------------------- sessions and CSRF


def test_session_reads_me(api_client, company):
    api_client.force_login(company["dev2"])
    response = api_client.get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Fatima Zahra"
    assert body["department"]["slug"] == "engineering"
    assert body["manager"]["display_name"] == "Priya Natarajan"
    assert "password" not in body


def test_session_patch_needs_the_csrf_token(api_client, company):
    person = company["dev2"]
    api_client.force_login(person)
    refused = _patch(api_client, {"pronouns": "she/her"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    person.refresh_from_db()
    assert person.pronouns == ""

    api_client.get("/me/tokens/")  # any page sets the CSRF cookie, as a browser gets it
    csrf = api_client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = _patch(api_client, {"pronouns": "she/her"}, X_CSRFToken=csrf)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["pronouns"] == "she/her"
    person.refresh_from_db()
    assert person.pronouns == "she/her"


def test_token_patch_needs_no_csrf_and_goes_through_the_profile_service(
    api_client, company, make_token, bearer
):
    person = company["dev2"]
    response = _patch(
        api_client,
        {"x_handle": "https://x.com/fatima_z", "birthday_month": 3, "birthday_day": 14},
        **bearer(make_token(person)),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["x_handle"] == "@fatima_z"  # normalised by the service
    assert body["birthday"] == {"month": 3, "day": 14}  # you always see your own
    person.refresh_from_db()
    assert (person.birthday_month, person.birthday_day) == (3, 14)
    assert not person.birthday_visible


def test_patch_refusals_are_422_with_a_reason_and_store_nothing(
    api_client, company, make_token, bearer
):
    person = company["dev2"]
    headers = bearer(make_token(person))
    cases: list[tuple[dict[str, object], str]] = [
        ({"x_handle": "not a handle!!"}, "x_handle"),
        ({"birthday_month": 2, "birthday_day": 31}, "birthday_day"),
        ({"birthday_month": 13, "birthday_day": 1}, "birthday_month"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"display_name": ""}, "display_name"),
        ({"pronouns": None}, "pronouns"),
        ({"job_title": "CEO"}, "job_title"),  # organisational: not a personal field
        ({"bio": "nul\x00byte"}, "bio"),
    ]
    for body, field in cases:
        response = _patch(api_client, {"pronouns": "they/them", **body}, **headers)
        assert response.status_code == 422, (body, response.content)
        detail = response.json()["detail"]
        assert any(field in item["loc"] for item in detail), (body, detail)
        assert all(item["msg"] for item in detail)
    person.refresh_from_db()
    assert person.pronouns == ""
    assert person.job_title == "Software Engineer"


def test_malformed_json_is_a_client_error(api_client, company, make_token, bearer):
    response = api_client.patch(
        ME,
        data="{not json",
        content_type="application/json",
        headers=bearer(make_token(company["dev2"])),
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_own_profile_edits_are_not_audited_but_are_saved(api_client, company, make_token, bearer):
    person = company["dev2"]
    _patch(api_client, {"bio": "Hello"}, **bearer(make_token(person)))
    person.refresh_from_db()
    assert person.bio == "Hello"
    assert not AuditEntry.objects.filter(action="people.profile_updated").exists()


# ---------------------------------------------------------------- directory


def test_people_lists_active_people_with_total_and_pages(client, company, make_token, bearer):
    headers = bearer(make_token(company["dev2"]))
    active = User.objects.filter(is_active=True).count()
    first = client.get(PEOPLE, {"limit": 3}, headers=headers).json()
    assert first["count"] == active
    assert len(first["items"]) == 3
    second = client.get(PEOPLE, {"limit": 3, "offset": 3}, headers=headers).json()
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in second["items"]})
    names = [p["display_name"] for p in first["items"] + second["items"]]
    assert names == sorted(names)


def test_people_search_and_filters(client, company, make_token, bearer):
    headers = bearer(make_token(company["dev2"]))
    found = client.get(PEOPLE, {"q": "engineering manager"}, headers=headers).json()
    assert {p["display_name"] for p in found["items"]} == {"Priya Natarajan", "Jonas Becker"}
    assert found["count"] == 2
    lisbon = client.get(PEOPLE, {"location": "lisbon", "limit": 200}, headers=headers).json()
    assert lisbon["items"] and all(p["location"]["slug"] == "lisbon" for p in lisbon["items"])
    sales = client.get(PEOPLE, {"department": "sales"}, headers=headers).json()
    assert all(p["department"]["slug"] == "sales" for p in sales["items"])

    unknown = client.get(PEOPLE, {"department": "nope"}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "department"]
    for bad in ({"limit": 0}, {"limit": 10_000}, {"offset": -1}, {"offset": 10**30}):
        assert client.get(PEOPLE, bad, headers=headers).status_code == 422, bad


def test_people_never_lists_deactivated_people(client, company, make_token, bearer):
    gone = company["dev1"]
    gone.is_active = False
    gone.save()
    body = client.get(PEOPLE, {"limit": 200}, headers=bearer(make_token(company["ceo"]))).json()
    assert gone.pk not in {p["id"] for p in body["items"]}


def test_birthday_only_when_opted_in(client, company, make_token, bearer):
    shy, proud = company["dev1"], company["em1"]
    User.objects.filter(pk=shy.pk).update(birthday_month=5, birthday_day=2)
    User.objects.filter(pk=proud.pk).update(birthday_month=7, birthday_day=9, birthday_visible=True)
    headers = bearer(make_token(company["dev2"]))
    assert client.get(f"{PEOPLE}/{shy.pk}", headers=headers).json()["birthday"] is None
    assert client.get(f"{PEOPLE}/{proud.pk}", headers=headers).json()["birthday"] == {
        "month": 7,
        "day": 9,
    }
    listed = {
        p["id"]: p["birthday"]
        for p in client.get(PEOPLE, {"limit": 200}, headers=headers).json()["items"]
    }
    assert listed[shy.pk] is None and listed[proud.pk] == {"month": 7, "day": 9}
    own = client.get(f"{PEOPLE}/{shy.pk}", headers=bearer(make_token(shy))).json()
    assert own["birthday"] == {"month": 5, "day": 2}


def test_deactivated_person_is_404_for_colleagues_but_visible_to_administrators(
    client, company, make_token, bearer
):
    gone = company["dev1"]
    gone.is_active = False
    gone.save()
    response = client.get(f"{PEOPLE}/{gone.pk}", headers=bearer(make_token(company["dev2"])))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such person."}
    admin = client.get(f"{PEOPLE}/{gone.pk}", headers=bearer(make_token(company["ceo"])))
    assert admin.status_code == 200
    assert admin.json()["is_active"] is False


def test_unknown_and_out_of_range_ids(client, company, make_token, bearer):
    headers = bearer(make_token(company["dev2"]))
    assert client.get(f"{PEOPLE}/999999", headers=headers).status_code == 404
    assert client.get(f"{PEOPLE}/{2**64}", headers=headers).status_code == 422
    assert client.get(f"{PEOPLE}/abc", headers=headers).status_code == 422


def test_departments_and_locations(client, company, make_token, bearer):
    headers = bearer(make_token(company["dev2"]))
    departments = client.get("/api/v1/departments", headers=headers).json()
    assert [d["name"] for d in departments] == sorted(d.name for d in company.departments.values())
    locations = client.get("/api/v1/locations", headers=headers).json()
    assert {loc["slug"] for loc in locations} == set(company.locations)
    assert all(loc["time_zone"] for loc in locations)


def test_people_list_query_count_does_not_grow_with_people(client, company, make_token, bearer):
    headers = bearer(make_token(company["dev2"]))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PEOPLE, {"limit": 200}, headers=headers)
        assert response.status_code == 200
        return len(captured)

    queries()  # the first use of the token also records when it was used
    before = queries()
    department = company.departments["Engineering"]
    location = company.locations["berlin"]
    team = company.teams["platform"]
    User.objects.bulk_create(
        User(
            email=f"extra{n}@northwind.example",
            display_name=f"Extra Person {n}",
            department=department,
            location=location,
            team=team,
            manager=company["em1"],
        )
        for n in range(30)
    )
    after = queries()
    assert after == before
    assert before <= 3  # the token with its owner, the page, the total


# ---------------------------------------------------------------- documentation


def test_docs_page_uses_bundled_files_only(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_openapi_document_lists_the_people_endpoints_and_errors(client, db):
    schema = client.get("/api/openapi.json").json()
    for path in (ME, PEOPLE, f"{PEOPLE}/{{person_id}}", "/api/v1/departments", "/api/v1/locations"):
        assert path in schema["paths"], path
    person = schema["paths"][f"{PEOPLE}/{{person_id}}"]["get"]
    assert {"200", "401", "404", "422"} <= set(person["responses"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_unknown_api_addresses_answer_404_json(client, db):
    for path in ("/api/v1/nothing-here", "/api/v2/people", "/api/v1/me/extra"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "No such API endpoint."}
