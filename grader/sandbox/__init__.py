"""The boundary with learner code: everything that starts, confines, talks to and kills it.

Only ``child.py``, ``wire.py`` and ``confine.py`` (and this empty file) run inside the
learner's child, which sees nothing else of the project; the rest is the trusted side.
Keep this file empty: the child imports it.
"""
