"""The people directory, the org chart and the home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.people import selectors
from rallypoint.people.models import Department, Location, Team, User

PASSWORD = "correct horse battery"


@dataclass
class Company:
    """A small company: five departments, three offices, a four-level reporting line."""

    departments: dict[str, Department] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.people[key]


# key | name | title | department | team | location | manager | role | years at the company
STAFF_TABLE = """
ceo  | Amara Okafor     | Chief Executive Officer   | Leadership  |            | berlin  |     | admin    | 9
cto  | Lukas Schneider  | Chief Technology Officer  | Engineering |            | berlin  | ceo | employee | 7
cmo  | Sofia Almeida    | Chief Marketing Officer   | Marketing   |            | lisbon  | ceo | comms    | 6
vps  | Daniel Reyes     | VP Sales                  | Sales       |            | toronto | ceo | employee | 5
em1  | Priya Natarajan  | Engineering Manager       | Engineering | platform   | berlin  | cto | employee | 4
em2  | Jonas Becker     | Engineering Manager       | Engineering | mobile     | lisbon  | cto | employee | 3
dev1 | Chen Wei         | Senior Software Engineer  | Engineering | platform   | berlin  | em1 | employee | 3
dev2 | Fatima Zahra     | Software Engineer         | Engineering | platform   | berlin  | em1 | employee | 2
dev3 | Oliver Brooks    | Site Reliability Engineer | Engineering | platform   | toronto | em1 | employee | 1
dev4 | Ines Carvalho    | iOS Engineer              | Engineering | mobile     | lisbon  | em2 | employee | 2
dev5 | Mateo García     | Android Engineer          | Engineering | mobile     | lisbon  | em2 | employee | 1
mkt1 | Hannah Müller    | Content Lead              | Marketing   | content    | berlin  | cmo | comms    | 3
mkt2 | Tomás Silva      | Social Media Manager      | Marketing   | content    | lisbon  | cmo | employee | 2
mkt3 | Grace Kim        | Brand Designer            | Marketing   | content    | toronto | cmo | employee | 1
ae1  | Ethan Clarke     | Account Executive         | Sales       | enterprise | toronto | vps | employee | 2
ae2  | Aisha Bello      | Account Executive         | Sales       | enterprise | toronto | vps | employee | 1
ae3  | Noah Fischer     | Sales Development Rep     | Sales       | enterprise | berlin  | vps | employee | 1
fin  | Yuki Tanaka      | Finance Manager           | Finance     |            | berlin  | ceo | employee | 4
ppl  | Layla Haddad     | People Partner            | People      |            | lisbon  | ceo | admin    | 3
new  | Ravi Menon       | Data Engineer             | Engineering | platform   | berlin  | em1 | employee | 0
"""  # noqa: E501 (one row a line reads best)
STAFF = [[cell.strip() for cell in line.split("|")] for line in STAFF_TABLE.strip().splitlines()]
TEAMS = {
    "platform": ("Platform", "Engineering"),
    "mobile": ("Mobile", "Engineering"),
    "content": ("Content", "Marketing"),
    "enterprise": ("Enterprise", "Sales"),
}
LOCATIONS = {
    "berlin": ("Berlin", "Germany", "Europe/Berlin"),
    "lisbon": ("Lisbon", "Portugal", "Europe/Lisbon"),
    "toronto": ("Toronto", "Canada", "America/Toronto"),
}


def build_company() -> Company:
    """Create the company above. Hire dates avoid the coming fortnight (no surprise parties)."""
    company = Company()
    for name in sorted({row[3] for row in STAFF}):
        company.departments[name] = Department.objects.create(name=name, slug=name.lower())
    for key, (name, country, tz) in LOCATIONS.items():
        company.locations[key] = Location.objects.create(
            name=name, slug=key, city=name, country=country, time_zone=tz
        )
    for key, (name, department) in TEAMS.items():
        company.teams[key] = Team.objects.create(
            name=name, slug=key, department=company.departments[department]
        )
    today = timezone.localdate()
    for key, name, title, department, team, location, manager, role, years_text in STAFF:
        years = int(years_text)
        if years:
            earlier = today - datetime.timedelta(days=60)
            hire_date = datetime.date(earlier.year - years, earlier.month, min(earlier.day, 28))
        else:
            hire_date = today - datetime.timedelta(days=5)
        first = name.split()[0].lower().replace("á", "a").replace("ü", "u")
        company.people[key] = User.objects.create_user(
            f"{first}@northwind.example",
            PASSWORD,
            display_name=name,
            job_title=title,
            department=company.departments[department],
            team=company.teams[team] if team else None,
            location=company.locations[location],
            manager=company.people[manager] if manager else None,
            role=role,
            hire_date=hire_date,
            time_zone=LOCATIONS[location][2],
        )
    return company


@pytest.fixture
def company(db) -> Company:
    return build_company()


def directory_names(response) -> list[str]:
    html = response.content.decode()
    return [
        person.display_name
        for person in User.objects.all()
        if f'<span class="person-name">{person.display_name}' in html
    ]


# ---------------------------------------------------------------- directory


def test_directory_needs_sign_in(client, company):
    response = client.get(reverse("people_directory"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_directory_lists_active_people_only(client, company):
    company["dev3"].is_active = False
    company["dev3"].save()
    client.force_login(company["dev1"])
    response = client.get(reverse("people_directory"))
    names = directory_names(response)
    assert "Chen Wei" in names
    assert "Oliver Brooks" not in names
    assert "19 people" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priya", {"Priya Natarajan"}),
        ("PRIYA natarajan", {"Priya Natarajan"}),
        ("account exec", {"Ethan Clarke", "Aisha Bello"}),
        ("marketing", {"Sofia Almeida", "Hannah Müller", "Tomás Silva", "Grace Kim"}),
        ("engineer lisbon", set()),
        ("Müller", {"Hannah Müller"}),
    ],
)
def test_directory_search_matches_name_title_and_department(client, company, query, expected):
    client.force_login(company["dev1"])
    response = client.get(reverse("people_directory"), {"q": query})
    assert set(directory_names(response)) == expected


def test_directory_filters_by_department_and_location(client, company):
    client.force_login(company["dev1"])
    response = client.get(
        reverse("people_directory"), {"department": "engineering", "location": "lisbon"}
    )
    assert set(directory_names(response)) == {"Jonas Becker", "Ines Carvalho", "Mateo García"}


def test_directory_unknown_filter_is_reported_not_a_crash(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("people_directory"), {"department": "nope"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(directory_names(response)) == 20


def test_directory_paginates_and_keeps_the_filters(client, company):
    for n in range(30):
        User.objects.create_user(
            f"temp{n}@northwind.example",
            display_name=f"Zed Temp {n:02d}",
            department=company.departments["Sales"],
        )
    client.force_login(company["dev1"])
    first = client.get(reverse("people_directory"), {"department": "sales"})
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?department=sales&amp;page=2"' in html
    second = client.get(reverse("people_directory"), {"department": "sales", "page": 2})
    assert len(directory_names(second)) == 34 - 24
    beyond = client.get(reverse("people_directory"), {"department": "sales", "page": 99})
    assert "Page 2 of 2" in beyond.content.decode()


def test_directory_htmx_request_gets_the_results_partial(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("people_directory"), {"q": "chen"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert directory_names(response) == ["Chen Wei"]
    assert 'id="directory-count" class="directory-count" hx-swap-oob="true"' in html
    assert "1 person matches" in html
    assert "HX-Request" in response["Vary"]


def test_directory_page_wires_live_search(client, company):
    client.force_login(company["dev1"])
    html = client.get(reverse("people_directory")).content.decode()
    assert 'hx-get="/people/"' in html
    assert 'hx-push-url="true"' in html
    assert "keyup changed delay:300ms" in html
    assert 'method="get" action="/people/"' in html


def test_directory_query_count_does_not_grow_with_people(
    client, company, django_assert_max_num_queries
):
    client.force_login(company["dev1"])
    with django_assert_max_num_queries(8):
        client.get(reverse("people_directory"))
    for n in range(40):
        User.objects.create_user(
            f"more{n}@northwind.example",
            display_name=f"More {n}",
            department=company.departments["Sales"],
            location=company.locations["berlin"],
            team=company.teams["enterprise"],
        )
    with django_assert_max_num_queries(8):
        client.get(reverse("people_directory"), {"q": "more", "department": "sales"})


def test_people_visible_to_searches_case_insensitively(company):
    viewer = company["dev1"]
    assert [p.display_name for p in selectors.people_visible_to(viewer, query="cHeN wEi")] == [
        "Chen Wei"
    ]
    found = selectors.people_visible_to(viewer, query="engineering manager")
    assert {p.display_name for p in found} == {"Priya Natarajan", "Jonas Becker"}


# ---------------------------------------------------------------- org chart


def test_org_chart_shows_the_chain_to_the_top_and_the_reports(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("people_org_chart"), {"person": company["em1"].pk})
    chart = response.context["chart"]
    assert [p.display_name for p in chart.chain] == ["Amara Okafor", "Lukas Schneider"]
    assert [p.display_name for p in chart.reports] == [
        "Chen Wei",
        "Fatima Zahra",
        "Oliver Brooks",
        "Ravi Menon",
    ]
    html = response.content.decode()
    assert f'href="/people/org-chart/?person={company["cto"].pk}"' in html  # walk up
    assert f'href="/people/org-chart/?person={company["dev1"].pk}"' not in html  # no reports
    assert "Top of the company" in html
    down = client.get(reverse("people_org_chart"), {"person": company["cto"].pk})
    html = down.content.decode()
    assert f'href="/people/org-chart/?person={company["em1"].pk}">Show 4 reports' in html


def test_org_chart_defaults_to_the_viewer(client, company):
    client.force_login(company["dev5"])
    chart = client.get(reverse("people_org_chart")).context["chart"]
    assert chart.person == company["dev5"]
    assert [p.display_name for p in chart.chain] == [
        "Amara Okafor",
        "Lukas Schneider",
        "Jonas Becker",
    ]
    assert chart.reports == []


def test_org_chart_at_the_top(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("people_org_chart"), {"person": company["ceo"].pk})
    chart = response.context["chart"]
    assert chart.chain == []
    assert len(chart.reports) == 5
    assert "this is the top of the reporting line" in response.content.decode()


def test_org_chart_survives_a_loop_in_the_data(client, company):
    # Bad data from an old import: two people who manage each other.
    User.objects.filter(pk=company["ceo"].pk).update(manager=company["cto"])
    client.force_login(company["dev1"])
    response = client.get(reverse("people_org_chart"), {"person": company["em1"].pk})
    assert response.status_code == 200
    names = [p.display_name for p in response.context["chart"].chain]
    assert sorted(names) == ["Amara Okafor", "Lukas Schneider"]


@pytest.mark.parametrize("person", ["999999", "abc"])
def test_org_chart_unknown_person_is_404(client, company, person):
    client.force_login(company["dev1"])
    assert client.get(reverse("people_org_chart"), {"person": person}).status_code == 404


def test_org_chart_query_count_does_not_grow(client, company, django_assert_max_num_queries):
    client.force_login(company["dev1"])
    with django_assert_max_num_queries(9):
        client.get(reverse("people_org_chart"), {"person": company["em1"].pk})
    for n in range(30):
        User.objects.create_user(
            f"report{n}@northwind.example", display_name=f"Report {n}", manager=company["em1"]
        )
    with django_assert_max_num_queries(9):
        response = client.get(reverse("people_org_chart"), {"person": company["em1"].pk})
    assert len(response.context["chart"].reports) == 34


# ---------------------------------------------------------------- home


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_greets_and_shows_manager_team_and_counts(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert ", Chen</h1>" in html
    assert "Priya Natarajan" in html  # manager
    assert "My team: Platform" in html
    assert "Fatima Zahra" in html  # teammate
    counts = response.context["counts"]
    assert (counts.people, counts.departments, counts.locations) == (20, 6, 3)


def test_home_lists_new_joiners(client, company):
    client.force_login(company["dev1"])
    response = client.get(reverse("home"))
    assert [p.display_name for p in response.context["new_joiners"]] == ["Ravi Menon"]


def test_home_lists_anniversaries_in_the_next_week(client, company):
    today = timezone.localdate()
    User.objects.filter(pk=company["dev2"].pk).update(hire_date=today.replace(year=today.year - 3))
    in_three = today + datetime.timedelta(days=3)
    User.objects.filter(pk=company["ae1"].pk).update(
        hire_date=in_three.replace(year=in_three.year - 1)
    )
    in_ten = today + datetime.timedelta(days=10)
    User.objects.filter(pk=company["ae2"].pk).update(hire_date=in_ten.replace(year=in_ten.year - 1))
    client.force_login(company["dev1"])
    response = client.get(reverse("home"))
    items = [
        (c.person.display_name, c.years, c.days_away) for c in response.context["anniversaries"]
    ]
    assert items == [("Fatima Zahra", 3, 0), ("Ethan Clarke", 1, 3)]
    assert "3 years" in response.content.decode()


def test_anniversaries_of_29_february_and_across_new_year(company):
    people = User.objects.filter(pk__in=[company[k].pk for k in ("dev2", "ae1", "ae2", "ae3")])
    people.update(hire_date=None)
    User.objects.filter(pk=company["dev2"].pk).update(hire_date=datetime.date(2020, 2, 29))
    # Hired this year: no anniversary yet.
    User.objects.filter(pk=company["ae1"].pk).update(hire_date=datetime.date(2025, 3, 2))
    User.objects.filter(pk=company["ae2"].pk).update(hire_date=datetime.date(2019, 1, 2))
    User.objects.filter(pk=company["ae3"].pk).update(hire_date=datetime.date(2024, 12, 31))
    found = selectors.work_anniversaries(company["dev1"], today=datetime.date(2025, 2, 26))
    assert [(c.person.pk, c.on, c.years) for c in found if c.person in people] == [
        (company["dev2"].pk, datetime.date(2025, 2, 28), 5)
    ]
    found = selectors.work_anniversaries(company["dev1"], today=datetime.date(2025, 12, 29))
    assert [(c.person.pk, c.on, c.years) for c in found if c.person in people] == [
        (company["ae3"].pk, datetime.date(2025, 12, 31), 1),
        (company["ae2"].pk, datetime.date(2026, 1, 2), 7),
    ]


def test_home_lists_only_birthdays_people_chose_to_show(client, company):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    User.objects.filter(pk=company["mkt1"].pk).update(
        birthday_month=today.month, birthday_day=today.day, birthday_visible=True
    )
    User.objects.filter(pk=company["mkt2"].pk).update(
        birthday_month=tomorrow.month, birthday_day=tomorrow.day, birthday_visible=False
    )
    client.force_login(company["dev1"])
    response = client.get(reverse("home"))
    assert [c.person.display_name for c in response.context["birthdays"]] == ["Hannah Müller"]
    html = response.content.decode()
    assert "Tomás Silva" not in html


def test_celebrations_across_new_year_and_leap_day(company):
    viewer = company["dev1"]
    User.objects.filter(pk=company["ae1"].pk).update(
        birthday_month=1, birthday_day=2, birthday_visible=True
    )
    User.objects.filter(pk=company["ae2"].pk).update(
        birthday_month=2, birthday_day=29, birthday_visible=True
    )
    new_year = selectors.upcoming_birthdays(viewer, today=datetime.date(2025, 12, 29))
    assert [(c.person.display_name, c.on) for c in new_year] == [
        ("Ethan Clarke", datetime.date(2026, 1, 2))
    ]
    not_leap = selectors.upcoming_birthdays(viewer, today=datetime.date(2025, 2, 27))
    assert [(c.person.display_name, c.on) for c in not_leap] == [
        ("Aisha Bello", datetime.date(2025, 2, 28))
    ]


def test_home_shows_empty_states_not_fake_content(client, db):
    loner = User.objects.create_user("solo@example.com", display_name="Solo Founder")
    client.force_login(loner)
    html = client.get(reverse("home")).content.decode()
    assert "Nobody joined in the last 30 days." in html
    assert "No work anniversaries in the next 7 days." in html
    assert "You have no manager in Rallypoint." in html


def test_home_query_count_does_not_grow(client, company, django_assert_max_num_queries):
    client.force_login(company["em1"])
    # 18: the people widgets and the feed, with its announcements, attachments and the
    # member spaces of the live prompt.
    with django_assert_max_num_queries(18):
        client.get(reverse("home"))
    for n in range(20):
        User.objects.create_user(
            f"joiner{n}@northwind.example",
            display_name=f"Joiner {n}",
            manager=company["em1"],
            team=company.teams["platform"],
            hire_date=timezone.localdate(),
        )
    with django_assert_max_num_queries(18):
        client.get(reverse("home"))
