"""The REST API: the NinjaAPI that mounts each app's router, its authentication
(sessions and personal access tokens) and the personal access token pages."""
