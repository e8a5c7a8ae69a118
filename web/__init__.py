"""The Flask front end and JSON API over kb (built in the web issue)."""
