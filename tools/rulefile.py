"""A rule file read to be written somewhere else (a test's variant, a training copy).

The files a rule file names (its keyer model, its gazetteer, its script fold table) are
relative to the rule file's own folder, which a copy leaves: load_portable() makes them
absolute, so the copy loads the same files. One list of those keys, here.
"""
import json
import os

FILE_KEYS = ("model", "gazetteer", "script_fold_table")


def load_portable(path):
    """The rule file at path as a dict, its file names made absolute."""
    with open(path, encoding="utf-8") as f:
        rules = json.load(f)
    folder = os.path.dirname(os.path.abspath(path))
    for key in FILE_KEYS:
        if key in rules:
            rules[key] = os.path.join(folder, rules[key])
    return rules
