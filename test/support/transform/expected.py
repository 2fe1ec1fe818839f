"""Computes, with plain pandas written by hand, what each instruction of the transform tests should
produce from orders.csv, and prints it as JSON {name: csv}. Independent of the engine's compiler:
it is what a person would write for each instruction."""

import json
import sys

import pandas as pd


def load(path):
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    frame["ordered"] = pd.to_datetime(frame["ordered"])
    frame["region"] = frame["region"].astype(object).where(frame["region"].notna(), None)
    frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
    return frame


def main(path, names):
    df = load(path)
    out = {}
    for name in names:
        out[name] = EXPECTED[name](df.copy()).to_csv(index=False)
    json.dump(out, sys.stdout)


EXPECTED = {}


def expected(name):
    def register(fn):
        EXPECTED[name] = fn
        return fn

    return register


main(sys.argv[1], sys.argv[2:])
