"""The trackside terminal app (Textual): the only package that imports textual.

``launch.launch_app`` and ``launch.launch_demo`` are what the CLI calls; the
App itself lives in ``app.py``, one screen per job in ``screens/``.
"""
