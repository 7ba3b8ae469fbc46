"""focuscal: measure how meetings fragment the working day, and protect focus time."""

__version__ = "0.1.0"
