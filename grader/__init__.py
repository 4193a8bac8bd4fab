"""Notebook tools of the lab: execution, HTML/PDF export, student versions and the checker."""
