"""The local tier's pages."""
