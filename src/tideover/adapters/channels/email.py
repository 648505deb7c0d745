"""E-mail through an SMTP server (``TIDEOVER_SMTP_*``), with a journal for crash recovery.

Before a message is handed to the server its key is written to the journal as
``intent``; once the server accepts it (``250`` after ``DATA``), as ``sent``,
each line flushed to disk.  After a crash, ``sent`` means it went, neither
means it never started, and ``intent`` alone means the worker died while the
server had it — SMTP cannot say whether it kept it, so the answer is
``None`` and the message is not sent again (docs/communications.md).
The Message-ID is ``<key@tideover>``, so a receiving system can also tell.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from tideover.adapters.channels.outbound import (
    ChannelFailure,
    OutboundMessage,
    append_line,
    read_keys,
)
from tideover.i18n import N_


class SmtpOutbound:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        journal: Path,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout
        self.journal = journal
        self._smtp: smtplib.SMTP | None = None
        self._sent: set[str] | None = None
        self._intents: set[str] | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

    def send(self, message: OutboundMessage) -> str:
        if not message.sender:
            raise ChannelFailure(
                N_("the platform has no e-mail sender address set"),
                transient=False,
                reason="no_sender",
            )
        mail = EmailMessage()
        mail["From"] = message.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject or ""
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = f"<{message.key}@tideover>"
        mail["Content-Language"] = message.language
        mail.set_content(message.text)
        for filename, content in message.attachments:
            mail.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
        append_line(self.journal, {"intent": message.key})
        try:
            self._connection().send_message(mail)
        except smtplib.SMTPRecipientsRefused:
            self._forget_intent()
            raise ChannelFailure(
                N_("the mail server refused the recipient"),
                transient=False,
                reason="recipient_refused",
            ) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            transient = 400 <= exc.smtp_code < 500
            raise ChannelFailure(
                N_("the mail server answered %(smtp_code)s"),
                smtp_code=exc.smtp_code,
                transient=transient,
                reason=f"smtp_{exc.smtp_code}",
            ) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise ChannelFailure(
                N_("the mail server could not be reached (%(name)s)"),
                name=type(exc).__name__,
                transient=True,
                reason="smtp_unreachable",
            ) from None
        self._journal_sent(message.key)
        return f"smtp:<{message.key}@tideover>"

    def _journal_sent(self, key: str) -> None:
        append_line(self.journal, {"sent": key})
        if self._sent is not None:
            self._sent.add(key)

    def _forget_intent(self) -> None:
        """A refusal is an answer: the server kept nothing (the intent line stays, harmless,
        because ``sent_before`` is only asked of messages left in flight)."""

    def sent_before(self, key: str) -> bool | None:
        if self._sent is None or self._intents is None:
            self._sent = read_keys(self.journal, "sent")
            self._intents = read_keys(self.journal, "intent")
        if key in self._sent:
            return True
        return None if key in self._intents else False


def sender_address(address: str | None, name: str | None) -> str | None:
    if not address:
        return None
    return formataddr((name, address)) if name else address
