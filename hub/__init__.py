"""The class server: JupyterHub on one machine for a class of the TP (the teacher's guide, « Un serveur pour
la classe »). Its one door is `python -m hub` (`npm run hub -- …`, cli.py): release, roster, password,
codes, serve, deadline, collect, return, status, lti, send-grades.

  roster.py          the class list (CSV) and its checks
  layout.py          the class folder: the hub's state, the homes, the exchange; each student's bounds
  accounts.py        one Unix account and home per person of the roster
  disks.py           each home on a disk of its own, of a bounded size
  codes.py, passwords.py, authenticator.py, handout.py
                     logging in with the roster's passwords: first-login codes (and their printed
                     sheets), teachers' passwords, NativeAuthenticator restricted to the roster, in French
  lti.py, lti_login.py, lms_grades.py
                     or coming in from the LMS by LTI 1.3, and the grades sent back to its gradebook
  spawner.py         each student's JupyterLab in a sandbox (sandbox/) of its own, bounded by a control group
  config.py          the JupyterHub configuration made from the class folder
  supervisor.py      JupyterHub run and watched; everything it started ended with it
  exchange/          the hand-out, hand-in and feedback service (a JupyterHub service)
  json_files.py      the class folder's JSON files, changed under a lock and written whole

The student's side of the server (its JupyterLab's server extension and extension) is in session/.
"""
