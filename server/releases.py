"""Blueprint for the data releases of ``dipkg release``, served from the ``releases_dir``
setting: ``/releases/`` lists them (newest first, with each file's size and SHA-256),
``/releases/{version}/{file}`` and ``/releases/latest/{file}`` serve their files. Only the
files a release's ``SHA256SUMS`` lists are served; paths are never built from the request
beyond a checked version and a listed name."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_file

from kg.flows.release import CHECKSUMS, Release, latest_release, list_releases
from server.problems import ProblemError
from server.services import get_services

blueprint = Blueprint("releases", __name__)


@blueprint.route("/releases/")
def index() -> str:
    """Every release, newest first, with its files."""
    releases = list_releases(get_services().settings.releases_dir)
    return render_template("releases.html", releases=releases)


@blueprint.route("/releases/<version>/<name>")
def release_file(version: str, name: str) -> Response:
    """One file of a release (``latest``: the newest release)."""
    found = _release(version)
    if name == CHECKSUMS:
        return _send(found, CHECKSUMS, "text/plain")
    entry = next((f for f in found.files if f.name == name), None)
    if entry is None:
        known = ", ".join(f.name for f in found.files)
        raise ProblemError(
            404,
            "unknown-release-file",
            f"Release {found.version} has no {name!r}; it has {known}, {CHECKSUMS}.",
        )
    return _send(found, entry.name, entry.media_type)


def _send(found: Release, name: str, media_type: str) -> Response:
    response = send_file(found.directory / name, mimetype=media_type, conditional=True)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _release(version: str) -> Release:
    directory = get_services().settings.releases_dir
    if version == "latest":
        latest = latest_release(directory)
        if latest is None:
            raise ProblemError(404, "no-release", "No release has been made yet (dipkg release).")
        return latest
    found = next((r for r in list_releases(directory) if r.version == version), None)
    if found is not None:
        return found
    raise ProblemError(404, "unknown-release", f"No release {version!r}; see /releases/.")
