"""Incident bundles (issue #29): the evidence captured the moment a verdict first fails.

`trigger.py` decides when (a failing verdict's first report, or a more severe one later), `keeper.py`
holds the raw heap and MemStats bodies of the baseline, `bundle.py` writes one bundle directory
(temporary name, renamed when whole), `render.py` the files' text, `listing.py` reads bundles back,
`capture.py` ties them together behind one object the session, `check` and the app drive.
"""
