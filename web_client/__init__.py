"""Static pages served by the server (candidate, observer, HR)."""
from pathlib import Path

WEB_ROOT = Path(__file__).parent
