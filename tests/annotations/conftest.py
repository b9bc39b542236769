"""Fixtures shared by the annotation tests: the seed article and the two editorial roles."""

import pytest

from tests.factories import import_seed, make_member


@pytest.fixture
def seed():
    return import_seed()


@pytest.fixture
def editor():
    return make_member("editor", "Editor")


@pytest.fixture
def reviewer():
    return make_member("reviewer", "Reviewer")
