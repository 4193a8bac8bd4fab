"""Drivers of a running class server from outside, as a browser would drive it (remote.py): used by the
tests (test/helpers/) and the capacity benchmark (bench/class_server.py), never by the server itself."""
