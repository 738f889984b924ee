"""The web app and REST API: a thin layer over the same functions as the CLI.

:func:`kratomsim.web.app.create_app` builds the FastAPI application; ``kratomsim serve`` runs it.
"""
