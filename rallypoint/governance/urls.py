from django.urls import path

from rallypoint.governance import views

urlpatterns = [
    path("policy/", views.policy_page, name="governance_policy"),
    path("policy/manage/", views.policy_manage, name="governance_policy_manage"),
    path("policy/manage/new/", views.policy_version_new, name="governance_policy_new"),
    path("policy/manage/<int:pk>/", views.policy_version_detail, name="governance_policy_version"),
    path("policy/manage/<int:pk>/edit/", views.policy_version_edit, name="governance_policy_edit"),
    path(
        "policy/manage/<int:pk>/publish/",
        views.policy_version_publish,
        name="governance_policy_publish",
    ),
    path(
        "policy/manage/<int:pk>/delete/",
        views.policy_version_delete,
        name="governance_policy_delete",
    ),
    path("policy/report/", views.policy_report, name="governance_policy_report"),
    path("policy/report.csv", views.policy_report_csv, name="governance_policy_report_csv"),
    path("policy/rules/", views.compliance_rules, name="governance_rules"),
    path("policy/rules/new/", views.compliance_rule_new, name="governance_rule_new"),
    path("policy/rules/<int:pk>/edit/", views.compliance_rule_edit, name="governance_rule_edit"),
    path(
        "policy/rules/<int:pk>/enabled/",
        views.compliance_rule_enabled,
        name="governance_rule_enabled",
    ),
]
