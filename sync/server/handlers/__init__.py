"""The sync API's request handlers, by what they serve: the change feed and snapshots to
laptops (`feed`), the writes laptops and admins send (`writes`), and what needs no device
token or none yet (`public`). `requests` holds what every handler shares: the server's state,
the caller behind a token, and reading parameters and bodies with clear 4xx answers.
"""
