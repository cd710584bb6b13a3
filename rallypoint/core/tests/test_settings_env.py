from django.conf import settings


def test_tests_use_their_own_var_folder():
    assert settings.VAR_DIR.name == "test"
