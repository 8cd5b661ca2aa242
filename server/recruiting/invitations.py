"""Invitations by e-mail: a plain-text and an HTML part in the interview's language, sent over SMTP with retries.

Delivery state (pending, sent, failed, attempts, last error) is stored per invitation so HR sees failures. Sending
is a job on the shared queue (``invitation.send``, one per invitation: ``send_job``), so a node that stops before
it has sent leaves it to another; an invitation already sent is never sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol
from datetime import datetime, timezone
from email.message import EmailMessage
from html import escape

import hashlib
import hmac
import json
import time

import aiohttp
import aiosmtplib
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from server.recruiting.connectors import dingtalk
from server.platform.settings import Settings
from server.platform.work_queue import PermanentJobError, handler
from server.storage.invitations import InvitationRepository

log = structlog.get_logger(__name__)

TEMPLATES = {
    "en": {
        "subject": "Your interview for {job}",
        "text": "Hello {name},\n\nYou are invited to an interview for the position {job}. The interview is conducted by "
                "an AI interviewer; people at the company review the results, and you can ask for a human review at "
                "any time.\n\nOpen this link in a browser with a camera and microphone:\n{link}\n\nThe link is "
                "personal and expires on {expires}.\n",
        "button": "Open the interview",
    },
    "zh": {
        "subject": "{job} 职位面试邀请",
        "text": "{name}，您好：\n\n诚邀您参加「{job}」职位的面试。本次面试由 AI 面试官进行，公司人员会审阅结果，您可随时要求人工复核。\n\n"
                "请在带有摄像头和麦克风的浏览器中打开以下链接：\n{link}\n\n此链接仅供您本人使用，有效期至 {expires}。\n",
        "button": "进入面试",
    },
}


@dataclass(frozen=True)
class InvitationContent:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()  # e.g. the .ics of a booked interview


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar"
    data: bytes
    params: tuple[tuple[str, str], ...] = ()  # extra Content-Type parameters, e.g. (("method", "REQUEST"),)


def render_invitation(language: str, name: str, job: str, link: str, expires: datetime) -> InvitationContent:
    t = TEMPLATES.get(language, TEMPLATES["en"])
    when = expires.strftime("%Y-%m-%d %H:%M UTC")
    text = t["text"].format(name=name, job=job, link=link, expires=when)
    paragraphs = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n") if link not in p)
    html = (f'<!doctype html><html lang="{language}"><body style="font-family:sans-serif">{paragraphs}'
            f'<p><a href="{escape(link)}" style="display:inline-block;padding:10px 18px;background:#1f5fd1;'
            f'color:#fff;text-decoration:none;border-radius:6px">{escape(t["button"])}</a></p>'
            f'<p style="color:#666;font-size:12px">{escape(link)}</p></body></html>')
    return InvitationContent(t["subject"].format(job=job), text, html)


def delivery_retries(attempts: int, retryable: tuple[type[BaseException], ...]) -> AsyncRetrying:
    """The retry policy of every invitation channel: ``attempts`` tries, exponential backoff up to 8 s."""
    return AsyncRetrying(stop=stop_after_attempt(attempts), reraise=True, wait=wait_exponential(multiplier=0.5, max=8),
                         retry=retry_if_exception_type(retryable))


class Mailer:
    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    async def send(self, recipient: str, content: InvitationContent, attempts: int = 3,
                   on_attempt=None) -> None:
        """Send with up to ``attempts`` tries and exponential backoff; raises the last error."""
        msg = EmailMessage()
        msg["From"] = self.settings.mail_from
        msg["To"] = recipient
        msg["Subject"] = content.subject
        msg.set_content(content.text)
        msg.add_alternative(content.html, subtype="html")
        for att in content.attachments:
            maintype, subtype = att.content_type.split("/", 1)
            msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename,
                               params=dict(att.params))
        s = self.settings
        async for attempt in delivery_retries(attempts, (aiosmtplib.SMTPException, OSError)):
            with attempt:
                if on_attempt:
                    await on_attempt(attempt.retry_state.attempt_number)
                await aiosmtplib.send(msg, hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
                                      password=s.smtp_password, start_tls=s.smtp_starttls if s.smtp_username else False,
                                      timeout=15)


class RetryableDeliveryError(Exception):
    """The receiver may accept a retry (a 5xx answer or a 429)."""


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``timestamp + "." + body``: the receiver recomputes it to trust the call."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookSender:
    """POSTs the invitation as JSON to a configured URL, signed, with the invitation id as idempotency key.
    ``url``/``secret``: another webhook signed the same way (the report webhook)."""

    def __init__(self, settings: Settings, url: str | None = None, secret: str | None = None):
        self.url = url or settings.invite_webhook_url
        self.secret = secret or settings.invite_webhook_secret or ""

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.secret)

    async def send(self, invitation_id: str, payload: dict, attempts: int = 3, on_attempt=None) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        async for attempt in delivery_retries(attempts, (RetryableDeliveryError, aiohttp.ClientError, OSError)):
            with attempt:
                if on_attempt:
                    await on_attempt(attempt.retry_state.attempt_number)
                ts = str(int(time.time()))
                headers = {"Content-Type": "application/json", "X-Interview-Timestamp": ts,
                           "X-Interview-Signature": sign_webhook(self.secret, ts, body),
                           "Idempotency-Key": invitation_id}
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
                    async with http.post(self.url, data=body, headers=headers) as resp:
                        if resp.status >= 500 or resp.status == 429:
                            raise RetryableDeliveryError(f"HTTP {resp.status}")
                        if resp.status >= 400:
                            raise RuntimeError(f"HTTP {resp.status}: {(await resp.text())[:200]}")


async def deliver(invitations: InvitationRepository, sender, invitation_id: str, *args) -> None:
    """Send one invitation (by e-mail, webhook or DingTalk) and record the outcome; never raises: the state says what
    happened. An invitation already sent is never sent again."""
    async def count(n: int) -> None:
        await invitations.update(invitation_id, attempts=n)

    inv = await invitations.get(invitation_id)
    if inv is not None and inv.status == "sent":
        return
    try:
        if isinstance(sender, Mailer):
            recipient, content = args
            await sender.send(recipient, content, on_attempt=count)
        elif isinstance(sender, DingTalkSender):
            userid, message = args
            task_id = await sender.send(userid, message, on_attempt=count)
            log.info("dingtalk_notice_sent", invitation_id=invitation_id, task_id=task_id)
        else:
            (payload,) = args
            await sender.send(invitation_id, payload, on_attempt=count)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded for HR
        log.warning("invitation_failed", invitation_id=invitation_id, error=str(exc))
        await invitations.update(invitation_id, status="failed", last_error=f"{type(exc).__name__}: {exc}"[:500])
        return
    await invitations.update(invitation_id, status="sent", sent_at=datetime.now(timezone.utc), last_error="")


# --- sending as a background job --------------------------------------------------------------------------------
SEND_KIND = "invitation.send"


def send_job(invitation_id: str, channel: str, **message) -> dict:
    """The ``invitation.send`` payload: the invitation, its channel and the message as rendered now (it carries the
    candidate's link, so the job's payload column is encrypted). ``message``: ``recipient`` and ``content``
    (e-mail), ``body`` (webhook), ``userid`` and ``notice`` (DingTalk)."""
    if "content" in message:
        c: InvitationContent = message["content"]
        message["content"] = {"subject": c.subject, "text": c.text, "html": c.html}
    return {"invitation_id": invitation_id, "channel": channel, **message}


@handler(SEND_KIND)
async def run_send_job(services, payload: dict) -> None:
    """Send one invitation (``deliver``: retries within the run, outcome on the invitation)."""
    settings, invitations = services.settings, services.store.invitations
    channel, invitation_id = payload["channel"], payload["invitation_id"]
    if channel == "email":
        c = payload["content"]
        await deliver(invitations, Mailer(settings), invitation_id, payload["recipient"],
                      InvitationContent(c["subject"], c["text"], c["html"]))
    elif channel == "webhook":
        await deliver(invitations, WebhookSender(settings), invitation_id, payload["body"])
    elif channel == "dingtalk":
        await deliver(invitations, DingTalkSender(settings), invitation_id, payload["userid"], payload["notice"])
    else:
        raise PermanentJobError(f"unknown invitation channel {channel!r}")


# --- channels by name: scheduling messages go out on the channel(s) the candidate's invitation used -----------
@dataclass(frozen=True)
class Notice:
    """One message to a candidate in the forms channels need: mail-like content and a structured payload."""

    key: str  # idempotency key (e.g. the reminder id); never reused for another message
    content: InvitationContent
    payload: dict


class Channel(Protocol):
    enabled: bool

    async def send(self, recipient: str, notice: Notice, on_attempt=None) -> None: ...


class EmailChannel:
    def __init__(self, settings: Settings):
        self.mailer = Mailer(settings)

    @property
    def enabled(self) -> bool:
        return self.mailer.enabled

    async def send(self, recipient: str, notice: Notice, on_attempt=None) -> None:
        await self.mailer.send(recipient, notice.content, on_attempt=on_attempt)


class WebhookChannel:
    def __init__(self, settings: Settings):
        self.hook = WebhookSender(settings)

    @property
    def enabled(self) -> bool:
        return self.hook.enabled

    async def send(self, recipient: str, notice: Notice, on_attempt=None) -> None:
        await self.hook.send(notice.key, notice.payload, on_attempt=on_attempt)


CHANNELS: dict[str, Callable[[Settings], Channel]] = {"email": EmailChannel, "webhook": WebhookChannel}


def register_channel(name: str, factory: Callable[[Settings], Channel]) -> None:
    """A new invitation channel (e.g. DingTalk work notices) also carries scheduling messages once registered."""
    CHANNELS[name] = factory


def channel_for(name: str, settings: Settings) -> Channel | None:
    factory = CHANNELS.get(name)
    return factory(settings) if factory else None


def enabled_channels(settings: Settings) -> list[str]:
    """The invitation channels this server has set up, in the order HR is offered them."""
    return [name for name in ("email", "dingtalk", "webhook")
            if (ch := channel_for(name, settings)) is not None and ch.enabled]


# --- DingTalk work notices (connector: server/recruiting/connectors/dingtalk.py) ---------------------------------------------
def work_notice(content: InvitationContent, language: str, link: str | None) -> dict:
    """The message as a DingTalk work notice: an action card whose button opens ``link``, or markdown without one."""
    text = f"### {content.subject}\n\n{content.text}"
    if link:
        button = TEMPLATES.get(language, TEMPLATES["en"])["button"]
        return {"msgtype": "action_card", "action_card": {"title": content.subject, "markdown": text,
                                                          "single_title": button, "single_url": link}}
    return {"msgtype": "markdown", "markdown": {"title": content.subject, "text": text}}


class DingTalkSender:
    """Sends a work notice to one DingTalk userid; token caching, refresh and rate-limit retries are the client's."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return dingtalk.enabled(self.settings)

    async def send(self, userid: str, message: dict, on_attempt=None) -> int | None:
        """DingTalk's task_id of the notice."""
        async with dingtalk.DingTalkClient.connect(self.settings) as client:
            return await client.send_work_notice(userid, message, on_attempt=on_attempt)


class DingTalkChannel:
    """Scheduling messages to a candidate invited over DingTalk (the recipient is their DingTalk userid)."""

    def __init__(self, settings: Settings):
        self.sender = DingTalkSender(settings)

    @property
    def enabled(self) -> bool:
        return self.sender.enabled

    async def send(self, recipient: str, notice: Notice, on_attempt=None) -> None:
        message = work_notice(notice.content, str(notice.payload.get("language") or "en"), notice.payload.get("link"))
        await self.sender.send(recipient, message, on_attempt=on_attempt)


register_channel("dingtalk", DingTalkChannel)
