"""The Flask front end and JSON API over kb."""

from web.app import create_app

__all__ = ["create_app"]
