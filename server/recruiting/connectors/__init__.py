"""Clients for the HR systems and messengers the server talks to (DingTalk open platform)."""
