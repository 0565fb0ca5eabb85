import pytest

from filter import Cleaner


@pytest.fixture(scope="session")
def cleaner():
    """The shipped model, loaded once for the whole run."""
    return Cleaner.load()
