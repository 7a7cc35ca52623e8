"""The client's version, read by the package build as well."""

__version__ = "0.1.0"
