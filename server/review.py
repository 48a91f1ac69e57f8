"""Blueprint ``/review``: the review queue (:mod:`kg.flows.review`) behind the write token.

A reviewer signs in with the server's write token through a form (``POST /review/login``;
the token travels in the body only, is compared in constant time and is never put in a URL, a
page or the session); the session is Flask's signed cookie (``HttpOnly``, ``SameSite=Strict``)
under the key of :func:`kg.flows.review.session_secret`, and holds only that the reviewer
signed in and the CSRF token. Every ``POST`` of this blueprint must carry that CSRF token in
its ``csrf_token`` field (the synchroniser-token pattern; 403 without it, before anything
else is looked at). Each decision opens the store for writing for the request only, as
``/api/documents`` does, and answers with a redirect back to the queue (303).
"""

from __future__ import annotations

import hmac
import secrets
from typing import cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.wrappers import Response as BaseResponse

from kg.errors import InputError, ValidationError
from kg.flows.review import AGENT, Correction, Reviewer, review_queue, session_secret
from kg.flows.write import writing_indexed
from server.problems import ProblemError
from server.services import get_services

blueprint = Blueprint("review", __name__)


def _configure(state: BlueprintSetupState) -> None:
    """The session's signing key and cookie flags (the review queue is off without a
    review directory: no key is made then)."""
    app = cast(Flask, state.app)
    settings = app.config["DIPKG_SETTINGS"]
    if settings.session_secret or settings.review_path is not None:
        app.secret_key = session_secret(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.server_url.startswith("https:"),
    )


blueprint.record_once(_configure)


@blueprint.before_request
def _guard() -> None:
    """Refuse when the queue is off (403), and any POST without the session's CSRF token."""
    settings = get_services().settings
    if not settings.write_token or not current_app.secret_key:
        raise ProblemError(
            403,
            "writes-disabled",
            "The review queue is off on this server: it has no write token"
            + ("." if settings.write_token else " or no review directory."),
            hint="The operator enables it by setting DIPKG_WRITE_TOKEN (and DIPKG_REVIEW_DIR "
            "for a remote store).",
        )
    if request.method == "POST":
        expected = session.get("csrf", "")
        given = request.form.get("csrf_token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise ProblemError(
                403,
                "csrf",
                "This form was not sent from this server's review page (no valid CSRF token).",
                hint="Reload the review page and send the form again.",
            )


@blueprint.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _csrf() -> str:
    """The session's CSRF token (made on its first page)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return cast(str, session["csrf"])


def _signed_in() -> None:
    if not session.get("reviewer"):
        raise ProblemError(
            401,
            "unauthorized",
            "Sign in to the review queue first.",
            hint="Open /review and sign in with the write token.",
        )


@blueprint.route("/review", methods=["GET"])
def queue() -> Response | str:
    """The queue when signed in, else the sign-in form."""
    if not session.get("reviewer"):
        return render_template("review_login.html", csrf_token=_csrf())
    services = get_services()
    found = review_queue(services.executor, services.settings)
    reviewer = _reviewer()
    registry = sorted(
        (a for a in reviewer.ingester.registry.actors.values() if not a.is_provisional),
        key=lambda a: a.label,
    )
    types = sorted(reviewer.ingester.notations.get("event-type", ()))
    return render_template(
        "review.html",
        queue=found,
        registry=registry,
        event_types=types,
        csrf_token=_csrf(),
        done=request.args.get("done", ""),
    )


@blueprint.route("/review/login", methods=["POST"])
def login() -> BaseResponse | tuple[str, int]:
    """Sign in with the write token (401 and the form again when it is wrong)."""
    token = get_services().settings.write_token
    given = request.form.get("token", "")
    if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
        page = render_template(
            "review_login.html", csrf_token=_csrf(), error="That is not the write token."
        )
        return page, 401
    session.clear()  # a new session on sign-in: nothing from before carries over
    session["reviewer"] = True
    _csrf()
    return redirect(url_for("review.queue"), 303)


@blueprint.route("/review/logout", methods=["POST"])
def logout() -> BaseResponse:
    """Sign out (the session is emptied)."""
    session.clear()
    return redirect(url_for("review.queue"), 303)


@blueprint.route("/review/actors/<actor_id>", methods=["POST"])
def actor(actor_id: str) -> BaseResponse:
    """Merge a provisional actor into a registry actor (``action=merge``, ``into``), or
    accept it as a new one (``action=accept``, optional ``wikidata``)."""
    _signed_in()
    action = request.form.get("action", "")
    if action == "merge":
        into = request.form.get("into", "")
        _decide(lambda r, s: r.merge_actor(s, actor_id, into))
    elif action == "accept":
        wikidata = request.form.get("wikidata", "").strip() or None
        _decide(lambda r, s: r.accept_actor(s, actor_id, wikidata))
    else:
        raise _bad("action", "Field 'action' must be 'merge' or 'accept'.")
    return redirect(url_for("review.queue", done=f"{actor_id}: {action}"), 303)


@blueprint.route("/review/facts", methods=["POST"])
def fact() -> BaseResponse:
    """Accept, correct (``date``, ``type``, ``participants``) or reject one fact, named by
    its ``document``, ``kind`` and one span of its evidence (``start``, ``end``)."""
    _signed_in()
    form = request.form
    action = form.get("action", "")
    document, kind = form.get("document", ""), form.get("kind", "")
    try:
        start, end = int(form.get("start", "")), int(form.get("end", ""))
    except ValueError:
        raise _bad("start", "Fields 'start' and 'end' must be whole numbers.") from None
    if action == "accept":
        _decide(lambda r, s: r.accept_fact(s, document, kind, start, end))
    elif action == "reject":
        _decide(lambda r, s: r.reject_fact(s, document, kind, start, end))
    elif action == "correct":
        people = form.get("participants", "").strip()
        correction = Correction(
            date=form.get("date", "").strip() or None,
            type=form.get("type", "").strip() or None,
            participants=tuple(p.strip() for p in people.split(",") if p.strip())
            if people
            else None,
        )
        _decide(lambda r, s: r.correct_fact(s, document, kind, start, end, correction))
    else:
        raise _bad("action", "Field 'action' must be 'accept', 'correct' or 'reject'.")
    return redirect(url_for("review.queue", done=f"{kind} in {document}: {action}"), 303)


def _reviewer() -> Reviewer:
    """One reviewer per worker process (spaCy's pipeline loads on its first extraction)."""
    reviewer = current_app.extensions.get("dipkg-reviewer")
    if reviewer is None:
        reviewer = current_app.extensions["dipkg-reviewer"] = Reviewer(
            get_services().settings, AGENT
        )
    return cast(Reviewer, reviewer)


def _decide(decision: object) -> None:
    """Carry out a decision on the store opened for writing; its refusal is a problem (400
    for a bad field, 422 when the shapes refuse it; the store unchanged either way)."""
    settings = get_services().settings
    reviewer = _reviewer()
    try:
        with writing_indexed(settings, timeout=settings.query_timeout) as store:
            decision(reviewer, store)  # type: ignore[operator]
    except ValidationError as exc:
        raise ProblemError(422, "rejected", exc.message, hint=exc.hint) from None
    except InputError as exc:
        raise ProblemError(400, "bad-field", exc.message, hint=exc.hint) from None


def _bad(field: str, detail: str) -> ProblemError:
    return ProblemError(400, "bad-field", detail, field=field)
