"""The archive as a static website with Chinese full-text search (docs/website.md)."""
