# The student's JupyterLab, wherever it runs: `npm start -- KIT` on a student's own machine, each
# student's server on the class server (hub/), the student image. One file, passed with --config.
#
# - JupyterLab in French (a default: a student who switches the language back keeps that choice), no
#   question about Jupyter's news, no nbgrader menu, "Validate" button or assignment sidebar
#   (lab/overrides.json, lab/page_config.json);
# - nbgrader's server side off too (its formgrader is the teacher's);
# - new notebooks in TypeScript (tslab), the only kernel offered (no Python or JavaScript notebook made
#   by mistake);
# - Markdown files open rendered (the guide, LISEZ-MOI.md);
# - on the class server (TP5_ECHANGE_URL set by its spawner), the exchange's server extension and the
#   French word for a full home (server.py, contents.py).
import os
import pathlib

c = get_config()  # noqa: F821 (given by Jupyter)

c.LabApp.app_settings_dir = str(pathlib.Path(__file__).parent / "lab")
c.MultiKernelManager.default_kernel_name = "tslab"
c.KernelSpecManager.allowed_kernelspecs = {"tslab"}
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.validate_assignment": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
}
if os.environ.get("TP5_ECHANGE_URL"):
    c.ServerApp.jpserver_extensions["session.server"] = True
    c.ServerApp.contents_manager_class = "session.contents.HomeContentsManager"
