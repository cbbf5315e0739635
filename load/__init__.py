"""`make load`: locust against gunicorn on the benchmark dataset (see ``load/__main__.py``)."""
