from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "rallypoint.governance"
    label = "governance"
    verbose_name = "Governance"
