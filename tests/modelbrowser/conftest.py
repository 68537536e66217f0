from tests.generation.conftest import make_job, make_output, token_team  # noqa: F401
