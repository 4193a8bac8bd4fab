"""The class server: JupyterHub on one machine for a class of the TP (see the README, « Un serveur pour la
classe »). Its one door is `python -m hub` (`npm run hub -- …`): serve, release, deadline, collect, return.

  roster.py          the class list (CSV) and its checks
  layout.py          the class folder: the hub's state, the homes, the exchange; each student's bounds
  accounts.py        one Unix account and home per person of the roster
  authenticator.py   NativeAuthenticator restricted to the roster, in French
  spawner.py         each student's JupyterLab in a sandbox of its own, bounded by a control group
  config.py          the JupyterHub configuration made from the class folder
  exchange/          the hand-out, hand-in and feedback service (a JupyterHub service)
"""
