"""Jinja2 templates and CSS for the rendered brief (shipped as package data)."""
