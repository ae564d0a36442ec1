"""Promises to pay: validation and kept/broken status."""
