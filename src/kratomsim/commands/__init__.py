"""CLI commands; each module defines ``register(app)`` and stays a thin layer over the API."""
