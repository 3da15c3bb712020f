"""Background jobs in chunks, shared by any number of workers and finished even when a worker dies.

How it works and how to use it for a new kind of job: background/runner.py.
"""
