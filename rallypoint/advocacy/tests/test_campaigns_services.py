"""Campaign services: who may run campaigns, and what a campaign must be made of.

The builders here (``build_team``, ``campaign``, ``item``) are shared by the other campaign
tests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rallypoint.advocacy.campaigns import (
    CampaignData,
    campaign_create,
    campaign_data_of,
    campaign_end,
    campaign_update,
)
from rallypoint.advocacy.models import Campaign, ContentItem
from rallypoint.core.models import AuditEntry
from rallypoint.people.models import Department, Location, User

PASSWORD = "campaign-test-password"
DAY = datetime.timedelta(days=1)


@dataclass
class Team:
    people: dict[str, User] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.people[key]


def build_team() -> Team:
    """cora: communications manager (Marketing, Berlin); ada: administrator (IT);
    eli, emma, erik, eva, ezra: Engineering (Berlin, ezra in Lisbon); sam, sue: Sales
    (Lisbon); rita: no department."""
    team = Team()
    for name in ("Engineering", "Sales", "Marketing", "IT"):
        team.departments[name] = Department.objects.create(name=name, slug=name.lower())
    for name in ("Berlin", "Lisbon"):
        team.locations[name] = Location.objects.create(
            name=name, slug=name.lower(), city=name, country="EU", time_zone="Europe/Berlin"
        )
    rows = (
        ("cora", "Cora Comms", "Marketing", "Berlin", User.Role.COMMUNICATIONS),
        ("ada", "Ada Admin", "IT", "Berlin", User.Role.ADMINISTRATOR),
        ("eli", "Eli Engineer", "Engineering", "Berlin", User.Role.EMPLOYEE),
        ("emma", "Emma Engineer", "Engineering", "Berlin", User.Role.EMPLOYEE),
        ("erik", "Erik Engineer", "Engineering", "Berlin", User.Role.EMPLOYEE),
        ("eva", "Eva Engineer", "Engineering", "Berlin", User.Role.EMPLOYEE),
        ("ezra", "Ezra Engineer", "Engineering", "Lisbon", User.Role.EMPLOYEE),
        ("sam", "Sam Sales", "Sales", "Lisbon", User.Role.EMPLOYEE),
        ("sue", "Sue Sales", "Sales", "Lisbon", User.Role.EMPLOYEE),
        ("rita", "Rita Remote", None, None, User.Role.EMPLOYEE),
    )
    for key, name, department, location, role in rows:
        team.people[key] = User.objects.create_user(
            f"{key}@northwind.example",
            PASSWORD,
            display_name=name,
            department=team.departments[department] if department else None,
            location=team.locations[location] if location else None,
            role=role,
        )
    return team


@pytest.fixture
def team(db) -> Team:
    return build_team()


def item(title: str = "Our new office", **fields: object) -> ContentItem:
    values: dict[str, object] = {
        "title": title,
        "url": "https://northwind.example/news/office",
        "status": ContentItem.Status.PUBLISHED,
        "published_at": timezone.now() - DAY,
    }
    values.update(fields)
    return ContentItem.objects.create(**values)


def data(**fields: object) -> CampaignData:
    now = timezone.now()
    values: dict[str, object] = {
        "name": "Spring hiring",
        "starts_at": now - DAY,
        "ends_at": now + 7 * DAY,
    }
    values.update(fields)
    return CampaignData(**values)  # type: ignore[arg-type]


def campaign(team: Team, **fields: object) -> Campaign:
    return campaign_create(actor=team["cora"], data=data(**fields))


def test_campaign_create_makes_an_address_from_the_name_and_records_it(team):
    office = item()
    created = campaign(
        team,
        name="  Spring   hiring ",
        description="Help us hire.",
        items=[office],
        goal_shares=50,
        goal_reach=10_000,
    )
    assert created.name == "Spring hiring"
    assert created.slug == "spring-hiring"
    assert list(created.items.all()) == [office]
    assert (created.goal_shares, created.goal_unique_clicks, created.goal_reach) == (
        50,
        None,
        10_000,
    )
    entry = AuditEntry.objects.get(action="advocacy.campaign_created")
    assert entry.actor == team["cora"]
    assert entry.details["slug"] == "spring-hiring"
    assert entry.details["items"] == [office.pk]
    again = campaign(team, name="Spring hiring")
    assert again.slug == "spring-hiring-2"


def test_campaign_slug_never_takes_a_page_address(team):
    assert campaign(team, name="New").slug == "new-2"
    assert campaign(team, name="Manage").slug == "manage-2"
    with pytest.raises(ValidationError) as error:
        campaign(team, name="Other", slug="manage")
    assert "slug" in error.value.message_dict


def test_campaign_given_slug_must_be_free(team):
    campaign(team, slug="launch")
    with pytest.raises(ValidationError) as error:
        campaign(team, name="Another", slug="launch")
    assert error.value.message_dict["slug"] == ["Another campaign already has this address."]


@pytest.mark.parametrize("role", ["ada", "cora"])
def test_communications_and_administrators_run_campaigns(team, role):
    assert campaign_create(actor=team[role], data=data()).pk


@pytest.mark.parametrize("role", ["eli", "rita"])
def test_employees_cannot_create_or_change_campaigns(team, role):
    with pytest.raises(PermissionDenied):
        campaign_create(actor=team[role], data=data())
    existing = campaign(team)
    with pytest.raises(PermissionDenied):
        campaign_update(actor=team[role], campaign=existing, data=data(name="Mine now"))
    with pytest.raises(PermissionDenied):
        campaign_end(actor=team[role], campaign=existing)
    assert Campaign.objects.get().name == "Spring hiring"


def test_campaign_must_end_after_it_starts(team):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        campaign(team, starts_at=now, ends_at=now)
    assert error.value.message_dict["ends_at"] == ["The campaign must end after it starts."]
    with pytest.raises(ValidationError):
        campaign(team, starts_at=now, ends_at=now - DAY)
    assert not Campaign.objects.exists()


def test_campaign_refuses_naive_dates(team):
    with pytest.raises(ValidationError) as error:
        campaign(team, starts_at=datetime.datetime(2026, 1, 1))
    assert "starts_at" in error.value.message_dict


def test_campaign_needs_an_audience(team):
    with pytest.raises(ValidationError) as error:
        campaign(team, audience_everyone=False)
    assert "audience" in error.value.message_dict
    engineering = campaign(
        team, audience_everyone=False, departments=[team.departments["Engineering"]]
    )
    assert list(engineering.departments.all()) == [team.departments["Engineering"]]


def test_campaign_takes_only_items_in_the_library_that_may_be_shared(team):
    pending = item("Pending", status=ContentItem.Status.PENDING)
    internal = item("Internal", internal_only=True)
    with pytest.raises(ValidationError) as error:
        campaign(team, items=[item(), pending, internal])
    messages = error.value.message_dict["items"]
    assert len(messages) == 2
    assert "“Pending” is not in the library." in messages
    assert any("internal only" in message for message in messages)


@pytest.mark.parametrize("goal", [0, -3, 100_000_001, 2.5, "10"])
def test_goals_are_positive_whole_numbers(team, goal):
    with pytest.raises(ValidationError) as error:
        campaign(team, goal_unique_clicks=goal)
    assert "goal_unique_clicks" in error.value.message_dict


def test_campaign_update_changes_fields_and_keeps_the_address(team):
    existing = campaign(team, goal_shares=10)
    changed = campaign_data_of(existing)
    changed.name = "Spring hiring, extended"
    changed.goal_shares = 20
    changed.goal_participants = 5
    updated = campaign_update(actor=team["cora"], campaign=existing, data=changed)
    assert updated.slug == "spring-hiring"
    assert (updated.name, updated.goal_shares, updated.goal_participants) == (
        "Spring hiring, extended",
        20,
        5,
    )
    assert AuditEntry.objects.filter(action="advocacy.campaign_updated").count() == 1


def test_campaign_end_stops_a_running_campaign_only(team):
    running = campaign(team)
    ended = campaign_end(actor=team["cora"], campaign=running)
    assert ended.ends_at <= timezone.now()
    with pytest.raises(ValidationError):
        campaign_end(actor=team["cora"], campaign=ended)
    coming = campaign(team, starts_at=timezone.now() + DAY, ends_at=timezone.now() + 2 * DAY)
    with pytest.raises(ValidationError):
        campaign_end(actor=team["cora"], campaign=coming)
