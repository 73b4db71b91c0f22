"""API test helpers: a real token for a real person, sent as a bearer header."""

from datetime import timedelta

import pytest

from supervision.auth.tokens import create_token


class Api:
    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def headers(self):
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path, **kwargs):
        return self.client.get("/api/v1" + path, headers=self.headers(), **kwargs)

    def post(self, path, json=None):
        return self.client.post("/api/v1" + path, headers=self.headers(), json=json)

    def patch(self, path, json=None):
        return self.client.patch("/api/v1" + path, headers=self.headers(), json=json)


@pytest.fixture
def api_as(client, clock):
    """`api_as(person, write=True)`: an API client holding a new token of that person's."""

    def make(person, write=True):
        return Api(client, create_token(person, "test", write, timedelta(days=30)).secret)

    return make
