"""Readers of documents HR hands in: resumes into profiles, job descriptions into requirements, and the match
between them. Only the recruiting side uses them; the live analyzers are the rest of ``analyzers``."""
