"""`plenaria up` wired to stub tier services, for tests of the supervisor without the tiers.

Both modules also run as scripts (``python tests/support/stubs/up.py DATA_DIR``), so this
directory, which such a script sees first on ``sys.path``, holds nothing else.
"""
