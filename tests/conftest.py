import pytest
from django.core.cache import cache

from tests.factories import make_member


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits live in the cache: every test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Tests post quickly; the rate-limit tests lower these again."""
    settings.HEARTH_RATE_LIMITS = {"post": "10000/60", "report": "10000/60"}


@pytest.fixture
def member_factory(db):
    return make_member


@pytest.fixture
def member(member_factory):
    return member_factory("River")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def site_manager(member_factory):
    """A superuser: moderates every community, as the site's managers do."""
    return member_factory("Site Owner", is_staff=True, is_superuser=True)
