"""Helpers the tests share (conftest.py files hold only fixtures): the real chain, stores, processes,
a switchable network proxy, made-up chain logs, waiting on a condition."""
