"""Example application for milex: `milex-example` does the work, `milex-example-cli` describes its arguments."""

__version__ = "0.1.0"
