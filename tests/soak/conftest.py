from tests.e2e.conftest import terraform_env  # noqa: F401 - the e2e setup, shared
