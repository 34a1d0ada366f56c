"""Readers and writers that translate between file formats and the annotation record."""
