from tests.records.conftest import act_as, people  # noqa: F401  the same small organisation
