"""Our own files in static/ are linked by their contents' digest and kept a year when asked for by it;
a changed file gets another address, and any other address is asked about again each time."""

import hashlib
import shutil
from pathlib import Path

import pytest

from supervision import create_app
from supervision.assets import KEEP_A_YEAR
from supervision.extensions import db
from tests.conftest import make_test_config
from tests.factories import make_staff
from tests.html import parse_html

OURS = ("favicon.svg", "app.css", "app.js")


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def cache_control(client, address: str):
    """How a file asked for by `address` may be kept (the file itself is not read)."""
    with client.get(address) as response:
        assert response.status_code == 200
        assert response.headers.get("ETag")  # so asking again costs a 304, not the file
        return response.cache_control


def linked(client, path: str = "/sign-in") -> dict[str, str]:
    """Each of our files, by name, with the address the page at `path` links it by."""
    response = client.get(path)
    assert response.status_code == 200
    page = parse_html(response.get_data(as_text=True))
    addresses = [tag.get("href") or tag.get("src") for tag in page.select("link[href], script[src]")]
    return {name: address for address in addresses for name in OURS if address.startswith(f"/static/{name}")}


def test_every_page_links_our_files_by_the_digest_of_what_they_hold(app, client):
    folder = Path(app.static_folder)
    assert linked(client) == {name: f"/static/{name}?v={digest_of(folder / name)}" for name in OURS}


@pytest.mark.parametrize("name", OURS)
def test_a_file_asked_for_by_its_digest_is_kept_a_year(client, name):
    kept = cache_control(client, linked(client)[name])

    assert kept.max_age == KEEP_A_YEAR
    assert kept.public and kept.immutable
    assert not kept.no_cache


@pytest.mark.parametrize("query", ["", "?v=0123456789abcdef", "?v="])
def test_a_file_asked_for_without_its_current_digest_is_asked_about_again_each_time(client, query):
    kept = cache_control(client, f"/static/app.css{query}")

    assert kept.max_age in (None, 0)
    assert not kept.immutable


def test_a_changed_file_gets_another_address_and_the_old_one_is_no_longer_kept(database_url, tmp_path):
    app = create_app(make_test_config(database_url))
    shutil.copytree(app.static_folder, tmp_path / "static")
    app.static_folder = str(tmp_path / "static")
    client = app.test_client()
    before = linked(client)["app.css"]

    with open(tmp_path / "static" / "app.css", "a") as css:
        css.write("\n/* a change */\n")
    after = linked(client)["app.css"]

    assert after != before
    assert after == f"/static/app.css?v={digest_of(tmp_path / 'static' / 'app.css')}"
    assert cache_control(client, after).max_age == KEEP_A_YEAR
    assert cache_control(client, before).max_age in (None, 0)
    with app.app_context():
        db.engine.dispose()


def test_our_files_are_kept_for_people_signed_in_too(pages, client):
    """Pages behind sign-in are never stored (tests/test_security.py); our files hold nothing personal."""
    pages.sign_in(make_staff())

    kept = cache_control(client, linked(client, "/")["app.css"])

    assert kept.max_age == KEEP_A_YEAR and not kept.no_store
