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


@expected("by-region-2024")
def _(df):
    df = df[(df["ordered"] >= "2024-01-01") & (df["ordered"] < "2025-01-01")]
    out = df.groupby("region", as_index=False)["amount"].sum().rename(columns={"amount": "amount_sum"})
    return out.sort_values("amount_sum", ascending=False, kind="mergesort").reset_index(drop=True)


@expected("large-orders")
def _(df):
    return df[df["quantity"] >= 3][["order_id", "region", "quantity"]].reset_index(drop=True)


@expected("top-totals")
def _(df):
    df["total"] = df["price"] * df["quantity"]
    return df.sort_values("total", ascending=False, kind="mergesort").head(10).reset_index(drop=True)


@expected("count-regions")
def _(df):
    df["region"] = df["region"].fillna("unknown")
    return df.groupby("region").size().reset_index(name="row_count")


@expected("first-per-area")
def _(df):
    df = df[df["returned"] != True]  # noqa: E712
    df = df.drop_duplicates(subset=["region"]).rename(columns={"region": "area"})
    return df.drop(columns=["note"]).reset_index(drop=True)


@expected("rush-sorted")
def _(df):
    df = df[df["note"].str.contains("rush", case=False, na=False)]
    return df.sort_values(["price", "order_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


main(sys.argv[1], sys.argv[2:])
