"""After the interview: the evaluation report (data, page and PDF)."""
