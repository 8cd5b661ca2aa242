"""The e-mail that gives a new user (or one whose admin issued a new link) their set-password link, sent with the
invitations' mailer (server/recruiting/invitations.py) when SMTP is configured."""

from __future__ import annotations

from datetime import datetime
from html import escape

from server.recruiting.invitations import InvitationContent
from web_client import catalogue


def render_password_mail(language: str, name: str, org: str, link: str, expires: datetime) -> InvitationContent:
    when = expires.strftime("%Y-%m-%d %H:%M UTC")
    subject = catalogue.text("users_mail_subject", language, org=org)
    body = catalogue.text("users_mail_body", language, name=name, org=org, expires=when)
    button = catalogue.text("users_mail_button", language)
    text = f"{body}\n\n{link}\n"
    html = (f'<!doctype html><html lang="{language}"><body style="font-family:sans-serif">'
            f'<p>{escape(body).replace(chr(10), "<br>")}</p>'
            f'<p><a href="{escape(link)}">{escape(button)}</a></p>'
            f'<p style="color:#666;font-size:12px">{escape(link)}</p></body></html>')
    return InvitationContent(subject, text, html)
