"""The report as an email: a multipart/alternative message (text and HTML) and SMTP delivery.

Settings come from the config's ``[smtp]`` section. The password comes from the environment
variable ``password_env`` names (default ``FOCUSCAL_SMTP_PASSWORD``) or, with ``keyring = true``,
from the system keyring (service ``focuscal``, key ``smtp://USERNAME@HOST``). It is handed to
smtplib only and never appears in a message, a log or an error.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING

from focuscal.config import Settings, SmtpSettings, is_one_line
from focuscal.errors import AuthError, ConfigError, InputError, RunError
from focuscal.report.html import to_email_html
from focuscal.report.text import to_text

if TYPE_CHECKING:
    from focuscal.report.weekly import Weekly

KEYRING_SERVICE = "focuscal"
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class SmtpError(RunError):
    """The mail server could not be reached or refused the message (exit 1)."""


def sender(settings: Settings) -> str:
    """The From address: ``[smtp] from``, else the first of ``me``, else the SMTP username."""
    smtp = settings.smtp
    for candidate in (smtp.sender, *settings.me, smtp.username):
        if candidate and "@" in candidate:
            return candidate
    raise InputError("no sender address", where="smtp.from",
                     hint='set from = "you@example.com" in the [smtp] section of the config')


def build_message(view: Weekly, *, sender: str, recipients: Sequence[str],
                  now: datetime) -> EmailMessage:
    """The report as multipart/alternative: the text part first, then the HTML for Gmail and
    Outlook (tables and inline styles, no SVG). ``now`` (aware) becomes the Date header."""
    return compose(view.subject, to_text(view), to_email_html(view), sender=sender,
                   recipients=recipients, now=now)


def compose(subject: str, text: str, html: str, *, sender: str, recipients: Sequence[str],
            now: datetime) -> EmailMessage:
    """A multipart/alternative message: ``text``, then ``html``; ``now`` (aware) is its
    Date."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("focuscal", domain=sender.rpartition("@")[2] or None)
    # Quoted-printable keeps both parts readable in a --dry-run and in saved .eml files.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    return message


def port(smtp: SmtpSettings) -> int:
    return smtp.port or DEFAULT_PORTS[smtp.security]


def password(smtp: SmtpSettings, env: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password, or None when no username is configured (no login)."""
    if not smtp.username:
        return None
    if smtp.keyring:
        return _sendable(_keyring_password(f"smtp://{smtp.username}@{smtp.host}"),
                         "the password in the system keyring")
    value = (os.environ if env is None else env).get(smtp.password_env)
    if not value:
        raise AuthError(
            f"the environment variable {smtp.password_env} (smtp.password_env) is not set",
            where="smtp", hint="export it with the password, or set keyring = true",
        )
    return _sendable(value, f"the password in {smtp.password_env} (smtp.password_env)")


def _sendable(secret: str, what: str) -> str:
    """``secret``, when smtplib can send it: one line of ASCII. The error names where the
    password came from, never the password."""
    if not (is_one_line(secret) and secret.isascii()):
        raise ConfigError(f"{what} must be one line of ASCII (smtplib sends no other)",
                          where="smtp")
    return secret


def _keyring_password(key: str) -> str:
    import keyring
    import keyring.errors

    try:
        value = keyring.get_password(KEYRING_SERVICE, key)
    except keyring.errors.KeyringError as exc:
        reason = (str(exc).strip().splitlines() or ["no reason given"])[0]
        raise AuthError(f"the system keyring cannot be read: {reason}", where="smtp") from exc
    if not value:
        raise AuthError("no password in the system keyring", where="smtp",
                        hint=f"store one with: keyring set {KEYRING_SERVICE} {key}")
    return value


def _context(smtp: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=smtp.cafile)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot read the CA file {smtp.cafile}: {reason}",
                         where="smtp.cafile") from exc


def deliver(message: EmailMessage, smtp: SmtpSettings, secret: str | None) -> None:
    """Send ``message`` to its To addresses through the configured server.

    Every failure (connection, TLS, authentication, a refused sender, recipient or message)
    raises SmtpError (or AuthError) with one line that names the server, never the password.
    """
    import smtplib
    import socket

    host, number = smtp.host, port(smtp)
    where = f"smtp {host}:{number}"
    context = _context(smtp) if smtp.security != "none" else None
    recipients = [a.strip() for a in str(message["To"]).split(",") if a.strip()]
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, number, timeout=smtp.timeout,
                                                    context=context)
        else:
            client = smtplib.SMTP(host, number, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise SmtpError("the server does not offer STARTTLS", where=where,
                                    hint='set security = "ssl" or "none" in [smtp]')
                client.starttls(context=context)
            if smtp.username:
                try:
                    client.login(smtp.username, secret or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise AuthError(
                        f"authentication failed for {smtp.username}: {_reply(exc)}",
                        where=where,
                    ) from exc
                except smtplib.SMTPNotSupportedError as exc:
                    raise SmtpError("the server does not offer authentication (AUTH)",
                                    where=where) from exc
            refused = client.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpError(f"recipient refused: {_refusals(exc.recipients)}", where=where) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise SmtpError(f"sender {exc.sender} refused: {_reply(exc)}", where=where) from exc
    except smtplib.SMTPDataError as exc:
        raise SmtpError(f"message refused: {_reply(exc)}", where=where) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise SmtpError(f"the server closed the connection ({exc or 'no reason given'})",
                        where=where) from exc
    except smtplib.SMTPResponseException as exc:
        raise SmtpError(f"the server answered {_reply(exc)}", where=where) from exc
    except smtplib.SMTPException as exc:
        raise SmtpError(str(exc), where=where) from exc
    except ssl.SSLCertVerificationError as exc:
        raise SmtpError(f"TLS certificate not trusted: {exc.verify_message}", where=where,
                        hint="set cafile in [smtp] for a private CA") from exc
    except ssl.SSLError as exc:
        raise SmtpError(f"TLS failed: {exc.reason or exc}", where=where,
                        hint="check security and port in [smtp]") from exc
    except ConnectionRefusedError as exc:
        raise SmtpError("cannot connect: connection refused", where=where, hint=(
            "set host (and port, security) in [smtp] of the config, or use --save FILE.eml"
            if smtp.host == SmtpSettings.host else None)) from exc
    except socket.gaierror as exc:
        raise SmtpError(f"cannot resolve the host: {exc.strerror}", where=where) from exc
    except TimeoutError as exc:
        raise SmtpError(f"no answer within {smtp.timeout} s", where=where) from exc
    except OSError as exc:
        raise SmtpError(f"cannot connect: {exc.strerror or exc}", where=where) from exc
    if refused:
        raise SmtpError(f"sent, but recipient refused: {_refusals(refused)}", where=where)


def _reply(exc: object) -> str:
    code = getattr(exc, "smtp_code", "")
    text = getattr(exc, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}".strip()


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    parts = []
    for address, (code, text) in sorted(refused.items()):
        reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        parts.append(f"{address} ({code} {' '.join(reason.split())})")
    return ", ".join(parts)
