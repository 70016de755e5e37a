"""E-mail sink: SMTP with STARTTLS or implicit TLS and optional login (aiosmtplib); a multipart text + HTML
message with the article's title and link, each finding's summary and its evidence sentence with the matched
words highlighted. All article content is escaped in the HTML part."""

from __future__ import annotations

import string
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from monitor.durations import PositiveDuration, parse_duration
from monitor.hookspecs import Options, Receipt, RegisterSink, hookimpl
from monitor.model import Alert
from monitor.render import event_lines, evidence_in_context

MARK = ("\x00", "\x01")


class EmailOptions(Options):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = False
    tls: bool = False  # implicit TLS (port 465)
    username: str | None = None
    password: SecretStr | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)
    subject: str = "[$severity] $title"
    timeout: PositiveDuration = 30.0
    #: For test servers with self-signed certificates only.
    verify_tls: bool = True
    #: Send ``password`` over a connection with neither ``starttls`` nor ``tls``: anyone on the path reads it.
    #: Refused unless set explicitly (a relay on the same host, say).
    allow_plaintext_auth: bool = False

    @model_validator(mode="after")
    def _tls_modes(self) -> EmailOptions:
        if self.starttls and self.tls:
            raise ValueError("choose starttls (port 587) or tls (port 465), not both")
        if self.password is not None and not (self.starttls or self.tls) and not self.allow_plaintext_auth:
            raise ValueError("password set but neither starttls nor tls: the password would cross the network in "
                             "clear; set starttls = true (port 587) or tls = true (port 465), or "
                             "allow_plaintext_auth = true to accept that")
        return self


def build_message(alert: Alert, options: EmailOptions, idempotency_key: str) -> EmailMessage:
    art = alert.article
    link = art.url or art.path or ""
    fields = {"severity": alert.severity.value.upper(), "title": art.title or link or "media-monitor alert",
              "route": alert.route, "source": art.source or "", "count": str(len(alert.findings))}
    if alert.event is not None:  # "[HIGH] Update: <event headline>": the thread reads as one event
        ev = alert.event
        fields["title"] = f"{'Update: ' if ev.sequence > 1 else ''}{ev.headline}"
        fields["change"] = "; ".join(c.text for c in ev.changes)
    subject = string.Template(options.subject).safe_substitute(fields)
    msg = EmailMessage()
    msg["Subject"] = " ".join(subject.split())[:250]
    msg["From"] = options.from_
    msg["To"] = ", ".join(options.to)
    if options.cc:
        msg["Cc"] = ", ".join(options.cc)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=idempotency_key.replace("-", "."), domain="media-monitor")
    msg["X-Monitor-Idempotency-Key"] = idempotency_key

    text = [fields["title"], link, ""]
    html = [f"<h2>{escape(fields['title'])}</h2>"]
    if link:
        html.append(f'<p><a href="{escape(link, quote=True)}">{escape(link)}</a></p>')
    about = event_lines(alert)
    if about:
        text += [*about, ""]
        html.append("<p>" + "<br>".join(escape(line) for line in about) + "</p>")
    html.append("<ul>")
    for f in alert.findings:
        text.append(f"[{f.severity.value}] {f.detector}: {f.summary}")
        html.append(f"<li><b>[{escape(f.severity.value)}] {escape(f.detector)}</b>: {escape(f.summary)}")
        for sentence in evidence_in_context(art, f, MARK):
            plain = " ".join(sentence.replace(MARK[0], "»").replace(MARK[1], "«").split())
            text.append(f"    {plain}")
            marked = escape(" ".join(sentence.split())).replace(MARK[0], "<mark>").replace(MARK[1], "</mark>")
            html.append(f"<blockquote>{marked}</blockquote>")
        html.append("</li>")
    html.append("</ul>")
    text += ["", f"route {alert.route} · alert {alert.id}"]
    html.append(f"<p><small>route {escape(alert.route)} · alert {escape(alert.id)}</small></p>")
    msg.set_content("\n".join(text))
    msg.add_alternative("<html><body>" + "".join(html) + "</body></html>", subtype="html")
    return msg


class EmailSink:
    options_model: ClassVar[type[Options]] = EmailOptions
    type: ClassVar[str] = "email"

    def __init__(self, name: str, options: EmailOptions) -> None:
        self.name = name
        self.options = options

    async def deliver(self, alert: Alert, idempotency_key: str) -> Receipt:
        import ssl

        import aiosmtplib

        o = self.options
        msg = build_message(alert, o, idempotency_key)
        context = ssl.create_default_context()
        if not o.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            errors, reply = await aiosmtplib.send(
                msg, hostname=o.host, port=o.port, use_tls=o.tls, start_tls=o.starttls if o.starttls else False,
                username=o.username, password=o.password.get_secret_value() if o.password else None,
                timeout=parse_duration(o.timeout), tls_context=context, recipients=[*o.to, *o.cc],
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Receipt(ok=False, permanent=True, detail=f"all recipients refused: {exc}")
        except aiosmtplib.SMTPAuthenticationError as exc:
            return Receipt(ok=False, permanent=True, detail=f"SMTP login refused: {exc.code} {exc.message}")
        except aiosmtplib.SMTPResponseException as exc:
            return Receipt(ok=False, permanent=500 <= exc.code < 600, detail=f"SMTP {exc.code} {exc.message}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Receipt(ok=False, detail=f"{exc.__class__.__name__}: {exc}")
        if errors:
            refused = ", ".join(f"{rcpt} ({resp.code})" for rcpt, resp in errors.items())
            return Receipt(ok=True, detail=f"SMTP {reply}; refused: {refused}")
        return Receipt(ok=True, detail=f"SMTP {reply}")


@hookimpl
def monitor_register_sinks(register: RegisterSink) -> None:
    register(EmailSink)
