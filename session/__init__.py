"""The student's session, wherever it runs (a student's machine with `npm start`, the class server, the
student image): its configuration (jupyter_server_config.py, lab/); on the class server, its server
extension (server.py: the kit, « Rendre », the feedback pages, through the exchange), its files on a
bounded home (contents.py) and its JupyterLab extension (labextension/, built into build/session/)."""
