"""The exchange: hand-out (the kit), hand-in (every version kept, timestamped, late ones flagged) and
feedback, private to each person. store.py keeps the files; service.py is the JupyterHub service that
students' servers talk to; dates.py says times in French."""
