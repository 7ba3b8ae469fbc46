"""focuscal email against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS with a
self-signed certificate, implicit TLS, AUTH, refusals. The received message is parsed and its
numbers compared with `focuscal audit --format json`."""

import datetime as dt
import email
import email.policy
import ipaddress
import json
import re
import socket
import ssl
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.report import hm, pct
from tests.conftest import EXAMPLES, ROOT
from tests.helpers import HEADLINE_LABELS as LABELS

SALES = str(EXAMPLES / "sales-week.ics")
WEEK = ["--week", "2026-W11", "--tz", "America/New_York"]
SECRET = "s3cret-Pa55-do-not-print"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses nobody@ addresses."""

    def __init__(self):
        self.envelopes = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"alex" and auth_data.password == SECRET.encode()
    # handled=False: aiosmtpd answers the failure itself (535).
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for localhost and 127.0.0.1: (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def smtp_server(certificate):
    """Starts servers on demand: smtp_server(mode) -> (inbox, port); mode plain|starttls|ssl."""
    from aiosmtpd.controller import Controller

    started = []

    def start(mode: str):
        inbox, port = Inbox(), free_port()
        options = {}
        if mode == "starttls":
            options = {"tls_context": server_context(certificate), "require_starttls": True,
                       "authenticator": authenticator, "auth_required": True}
        elif mode == "ssl":
            # aiosmtpd offers AUTH only after STARTTLS, so AUTH is tested there.
            options = {"ssl_context": server_context(certificate)}
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()


def config(tmp_path, port, security, *, cafile=None, username=None, extra=""):
    lines = ["[smtp]", 'host = "127.0.0.1"', f"port = {port}", f'security = "{security}"',
             'from = "reports@acme-sales.com"', "timeout = 10"]
    if cafile:
        lines.append(f'cafile = "{cafile}"')
    if username:
        lines.append(f'username = "{username}"')
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return str(path)


def email_cmd(cfg, *args, env=None):
    return CliRunner(env=env or {}).invoke(
        cli, ["--config", cfg, "email", SALES, *WEEK, *args])


@pytest.fixture(scope="module")
def audit():
    result = CliRunner().invoke(cli, ["audit", SALES, *WEEK, "--format", "json"])
    return json.loads(result.stdout)


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks, self.keys = [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-key" in attrs:
            self.keys[attrs["data-key"]] = attrs["data-value"]

    def handle_data(self, data):
        if data.strip():
            self.chunks.append(data.strip())


def check_message(raw: bytes, audit, to=("me@acme-sales.com",)):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    totals = audit["totals"]
    assert message["Subject"] == (f"Focus report, week 11: {hm(totals['focus_minutes'])} focus, "
                                  f"{pct(totals['fragmentation'])} fragmented")
    assert message["From"] == "reports@acme-sales.com"
    assert message["To"] == ", ".join(to)
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^@>]+@acme-sales\.com>", message["Message-ID"])
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "<svg" not in html
    assert "<script" not in html
    assert re.search(r"(https?:)?//", html) is None
    parser = Text()
    parser.feed(html)
    words = " ".join(parser.chunks)
    for key, label in LABELS.items():
        value = totals[key]
        shown = pct(value) if key == "fragmentation" else hm(value)
        assert re.search(rf"^{label}\s+{re.escape(shown)}\s", text, re.M), label
        assert f"{label} {shown} " in words, label
        assert float(parser.keys[key]) == value, key
    for day in audit["days"]:
        if day["status"] == "workday":
            assert (f"focus {hm(day['focus_minutes'])}, fragmented "
                    f"{hm(day['fragmented_minutes'])}, meetings {hm(day['meeting_minutes'])}"
                    in text)
    return message


def test_plain_delivery_in_a_real_subprocess(tmp_path, smtp_server, audit):
    inbox, port = smtp_server("plain")
    cfg = config(tmp_path, port, "none")
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "--config", cfg, "email", SALES, *WEEK,
         "--to", "me@acme-sales.com"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("sent 'Focus report, week 11: ")
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "reports@acme-sales.com"
    assert envelope.rcpt_tos == ["me@acme-sales.com"]
    check_message(envelope.content, audit)


def test_starttls_with_a_private_ca_and_auth(tmp_path, smtp_server, certificate, audit):
    inbox, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex")
    result = email_cmd(cfg, "--to", "me@acme-sales.com", "--to", "boss@acme-sales.com",
                       env={"FOCUSCAL_SMTP_PASSWORD": SECRET})
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    (envelope,) = inbox.envelopes
    assert envelope.rcpt_tos == ["me@acme-sales.com", "boss@acme-sales.com"]
    check_message(envelope.content, audit, to=("me@acme-sales.com", "boss@acme-sales.com"))


def test_implicit_tls(tmp_path, smtp_server, certificate, audit):
    inbox, port = smtp_server("ssl")
    cfg = config(tmp_path, port, "ssl", cafile=certificate[0],
                 extra='[report]\nto = ["me@acme-sales.com"]\n')
    result = email_cmd(cfg)  # the recipient comes from the config
    assert result.exit_code == 0, result.output
    (envelope,) = inbox.envelopes
    check_message(envelope.content, audit)


def one_line_error(result, fragment):
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: smtp 127.0.0.1:"), lines[0]
    assert fragment in lines[0], lines[0]
    assert SECRET not in result.output


def test_wrong_password_is_one_line_without_the_password(tmp_path, smtp_server, certificate):
    inbox, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex")
    result = email_cmd(cfg, "--to", "me@acme-sales.com",
                       env={"FOCUSCAL_SMTP_PASSWORD": SECRET + "-wrong"})
    one_line_error(result, "authentication failed for alex: 535")
    assert inbox.envelopes == []
    debug = CliRunner(env={"FOCUSCAL_SMTP_PASSWORD": SECRET}).invoke(
        cli, ["--debug", "--config", cfg, "email", SALES, *WEEK, "--to", "x@acme-sales.com"])
    assert debug.exit_code == 0  # the right password works, and debug output holds no secret
    assert SECRET not in debug.output


def test_untrusted_certificate_is_a_tls_error(tmp_path, smtp_server):
    _, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", username="alex")  # no cafile: not trusted
    result = email_cmd(cfg, "--to", "me@acme-sales.com", env={"FOCUSCAL_SMTP_PASSWORD": SECRET})
    one_line_error(result, "TLS certificate not trusted")
    assert "cafile" in result.stderr


def test_starttls_against_a_server_without_it(tmp_path, smtp_server, certificate):
    _, port = smtp_server("plain")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0])
    one_line_error(email_cmd(cfg, "--to", "me@acme-sales.com"), "does not offer STARTTLS")


def test_rejected_recipient(tmp_path, smtp_server, audit):
    inbox, port = smtp_server("plain")
    cfg = config(tmp_path, port, "none")
    result = email_cmd(cfg, "--to", "nobody@acme-sales.com")
    one_line_error(result, "recipient refused: nobody@acme-sales.com (550 5.1.1 no such user")
    assert inbox.envelopes == []
    # One good and one refused address: delivered to the good one, and still exit 1.
    result = email_cmd(cfg, "--to", "me@acme-sales.com", "--to", "nobody@acme-sales.com")
    one_line_error(result, "sent, but recipient refused: nobody@acme-sales.com")
    assert [e.rcpt_tos for e in inbox.envelopes] == [["me@acme-sales.com"]]


def test_refused_connection(tmp_path):
    cfg = config(tmp_path, free_port(), "none")
    one_line_error(email_cmd(cfg, "--to", "me@acme-sales.com"), "cannot connect")
    assert "[smtp]" not in email_cmd(cfg, "--to", "me@acme-sales.com").stderr  # host is set


def test_no_smtp_host_configured_says_where_to_set_it(tmp_path):
    """Nothing but a port in [smtp]: the default host (localhost) refuses, and the line says
    how to name the mail server or save the message instead."""
    path = tmp_path / "config.toml"
    path.write_text(f'[smtp]\nport = {free_port()}\nsecurity = "none"\n')
    result = email_cmd(str(path), "--to", "me@acme-sales.com")
    assert result.exit_code == 1, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("focuscal: error: smtp localhost:"), line
    assert "cannot connect" in line
    assert line.endswith("(set host (and port, security) in [smtp] of the config, "
                         "or use --save FILE.eml)"), line


def test_missing_password(tmp_path, smtp_server, certificate):
    _, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex")
    result = email_cmd(cfg, "--to", "me@acme-sales.com")
    assert result.exit_code == 1
    assert "FOCUSCAL_SMTP_PASSWORD" in result.stderr


CONTROL = "contains a line break or another control character"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('username = "alex\\r\\nMAIL FROM:<x@evil.example>"', f"smtp.username: {CONTROL}"),
        ('username = "al\\u0000ex"', f"smtp.username: {CONTROL}"),
        ('host = "127.0.0.1\\r\\n"', f"smtp.host: {CONTROL}"),
        ('password_env = "FOCUSCAL_SMTP_PASSWORD\\n"', f"smtp.password_env: {CONTROL}"),
        ('from = "reports@acme-sales.com\\r\\nBcc: all@acme-sales.com"',
         "smtp.from: expected an email address, got "
         "'reports@acme-sales.com\\r\\nbcc: all@acme-sales.com'"),
    ],
)
def test_a_line_break_in_the_smtp_settings_is_a_config_error(tmp_path, smtp_server,
                                                              certificate, line, problem):
    inbox, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex")
    name = line.split(" = ")[0]
    kept = [x for x in Path(cfg).read_text().splitlines() if not x.startswith(f"{name} = ")]
    Path(cfg).write_text("\n".join([*kept, line]) + "\n")
    result = email_cmd(cfg, "--to", "me@acme-sales.com", env={"FOCUSCAL_SMTP_PASSWORD": SECRET})
    assert result.exit_code == 2, result.output
    assert result.stderr == f"focuscal: error: {cfg}: {problem}\n"
    assert inbox.envelopes == []


def test_a_login_name_smtplib_cannot_send_is_a_config_error(tmp_path, smtp_server, certificate):
    _, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="al\u00e9x")
    result = email_cmd(cfg, "--to", "me@acme-sales.com", env={"FOCUSCAL_SMTP_PASSWORD": SECRET})
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"focuscal: error: {cfg}: smtp.username: must be ASCII (smtplib "
                             "sends no other login names)\n")


@pytest.mark.parametrize("bad", [SECRET + "\r\nQUIT", SECRET + "\u00e9"])
def test_a_password_smtplib_cannot_send_is_named_not_shown(tmp_path, smtp_server, certificate,
                                                           bad):
    inbox, port = smtp_server("starttls")
    cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex")
    result = email_cmd(cfg, "--to", "me@acme-sales.com", env={"FOCUSCAL_SMTP_PASSWORD": bad})
    assert result.exit_code == 2, result.output
    assert result.stderr == ("focuscal: error: smtp: the password in FOCUSCAL_SMTP_PASSWORD "
                             "(smtp.password_env) must be one line of ASCII (smtplib sends no "
                             "other)\n")
    assert SECRET not in result.output
    assert inbox.envelopes == []


def test_password_from_the_system_keyring(tmp_path, smtp_server, certificate, audit):
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {("focuscal", "smtp://alex@127.0.0.1"): SECRET}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    result, inbox = email_with_keyring(Memory(), tmp_path, smtp_server, certificate)
    assert result.exit_code == 0, result.output
    check_message(inbox.envelopes[0].content, audit)


def email_with_keyring(backend, tmp_path, smtp_server, certificate):
    """``email`` with ``keyring = true`` and ``backend`` as the system keyring."""
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        inbox, port = smtp_server("starttls")
        cfg = config(tmp_path, port, "starttls", cafile=certificate[0], username="alex",
                     extra="")
        path = Path(cfg)
        path.write_text(path.read_text().replace("[smtp]", "[smtp]\nkeyring = true"))
        return email_cmd(cfg, "--to", "me@acme-sales.com"), inbox
    finally:
        keyring.set_keyring(previous)


def test_a_keyring_that_cannot_be_read_is_one_line(tmp_path, smtp_server, certificate):
    import keyring
    import keyring.errors
    from keyring.backend import KeyringBackend

    class Locked(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            raise keyring.errors.KeyringLocked("the collection is locked\nsecond line")

        def set_password(self, service, username, password):
            raise keyring.errors.PasswordSetError("locked")

        def delete_password(self, service, username):
            raise keyring.errors.PasswordDeleteError("locked")

    result, inbox = email_with_keyring(Locked(), tmp_path, smtp_server, certificate)
    assert inbox.envelopes == []
    assert result.exit_code == 1
    assert result.stderr == ("focuscal: error: smtp: the system keyring cannot be read: the "
                             "collection is locked\n")


def test_dry_run_and_save(tmp_path, audit):
    cfg = config(tmp_path, 1, "none")
    dry = email_cmd(cfg, "--to", "me@acme-sales.com", "--dry-run")
    assert dry.exit_code == 0, dry.output
    check_message(dry.stdout.encode(), audit)
    saved = tmp_path / "report.eml"
    result = email_cmd(cfg, "--to", "me@acme-sales.com", "--save", str(saved))
    assert result.exit_code == 0, result.output
    check_message(saved.read_bytes(), audit)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--dry-run", "--save", "x.eml", "--to", "me@acme-sales.com"], "--dry-run and --save"),
        ([], "no recipient"),
        (["--to", "not-an-address", "--dry-run"], "--to"),
        (["--from", "2026-03-09", "--to", "me@acme-sales.com"], "No such option"),
    ],
)
def test_usage_errors(tmp_path, args, fragment):
    result = email_cmd(config(tmp_path, 1, "none"), *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("focuscal: error: ")
    assert fragment in result.stderr


def test_the_scheduling_examples_email_last_week_on_monday_at_eight():
    import configparser
    import shlex

    cron = EXAMPLES / "cron"
    (line,) = [x for x in (cron / "crontab").read_text().splitlines()
               if x.strip() and not x.startswith("#")]
    fields = line.split(None, 5)
    assert fields[:5] == ["0", "8", "*", "*", "MON"]
    assert shlex.split(fields[5])[-3:] == ["email", "--last-week", ">/dev/null"]
    units = {}
    for name in ("focuscal-report.service", "focuscal-report.timer"):
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read_string((cron / name).read_text())
        units[name] = parser
    assert units["focuscal-report.timer"]["Timer"]["OnCalendar"] == "Mon *-*-* 08:00:00"
    service = units["focuscal-report.service"]["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"].endswith(" email --last-week")
    readme = (ROOT / "README.md").read_text()
    assert line in readme
