"""briefer: multilingual news in, a grouped, summarised, source-attributed brief out."""

__version__ = "0.1.0"
__all__ = ["__version__"]
