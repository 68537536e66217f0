from tests.teams.conftest import krea_stub  # noqa: F401  (the Krea stand-in of the token tests)
