"""The trusted side of a transform run: load the typed table, call the candidate, write its output.

The candidate (transform_program.py) only defines transform(df); it never reads the upload or writes
a file, so one loader serves every target (no Parquet reader is needed: the typed table is JSON).
What this writes is measured afterwards by code outside the sandbox, so nothing here is trusted to
report on the candidate: a candidate that writes its own output.csv is judged on that output alike.
"""

import json
import sys

import pandas as pd

INPUT = "input.json"
OUTPUT = "output.csv"
DTYPES = "output-dtypes.json"


def load_table(path):
    with open(path, encoding="utf-8") as handle:
        table = json.load(handle)
    names = [column["name"] for column in table["columns"]]
    frame = pd.DataFrame(table["rows"], columns=names)
    for column in table["columns"]:
        name, dtype = column["name"], column["dtype"]
        if dtype == "datetime64[ns]":
            frame[name] = pd.to_datetime(frame[name])
        elif dtype == "int64":
            frame[name] = frame[name].astype("int64")
        elif dtype == "float64":
            frame[name] = frame[name].astype("float64")
        elif dtype == "bool" and not frame[name].isna().any():
            frame[name] = frame[name].astype("bool")
        else:
            frame[name] = frame[name].astype(object)
    return frame


def fail(message):
    sys.stderr.write(f"transform harness: {message}\n")
    sys.exit(1)


def main():
    frame = load_table(INPUT)
    import transform_program

    transform = getattr(transform_program, "transform", None)
    if not callable(transform):
        fail("the program defines no transform(df) function")
    result = transform(frame)
    if not isinstance(result, pd.DataFrame):
        fail(f"transform(df) returned {type(result).__name__}, not a DataFrame")
    if isinstance(result.columns, pd.MultiIndex):
        fail("transform(df) returned a DataFrame with multi-level columns; flatten them")
    names = [str(name) for name in result.columns]
    if len(set(names)) != len(names):
        fail("transform(df) returned a DataFrame with repeated column names")
    result.columns = names
    result.to_csv(OUTPUT, index=False)
    with open(DTYPES, "w", encoding="utf-8") as handle:
        json.dump({name: str(dtype) for name, dtype in result.dtypes.items()}, handle)


main()
