"""The browser tests use the same live server fixtures as the end-to-end tests."""

from tests.e2e.conftest import live_server, start_server  # noqa: F401
