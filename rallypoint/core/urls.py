from django.urls import path

from rallypoint.core.views import audit, health, realtime

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("events/stream", realtime.event_stream, name="event_stream"),
    path("admin-tools/audit/", audit.audit_log, name="audit_log"),
]
