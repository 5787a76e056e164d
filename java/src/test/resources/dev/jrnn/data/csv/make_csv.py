"""Goldens for CsvTest: what tf.data's CsvDataset (TensorFlow 2.21) reads from small CSV texts.

    TF_CPP_MIN_LOG_LEVEL=3 /tmp/tfdata-venv/bin/python make_csv.py
Writes csv.json beside this script: each case's text, options and either the float32 rows TensorFlow gave or that it
refused the file. Deterministic.
"""
import json
import math
import os
import tempfile

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("2.21"), tf.__version__

CASES = [
    ("plain", "a,b,c\n1,2.5,3\n4,5,6\n", dict(defaults=None)),
    ("crlf and no final newline", "a,b\r\n1,2\r\n3,4", dict(defaults=None)),
    ("cr only", "a,b\r1,2\r3,4\r", dict(defaults=None)),
    ("spaces around numbers", "a,b\n 4 ,\t8\n", dict(defaults=None)),
    ("number forms", "a,b,c,d,e,f,g,h\n+5,.5,1.,-1.5e-3,0x10,0x1p3,1e40,1e-50\n", dict(defaults=None)),
    ("inf and nan", "a,b,c,d,e\ninf,-Infinity,nan,NaN,-INF\n", dict(defaults=None)),
    ("nan payloads and signs", "a,b,c,d,e,f\nnan(123),nan(),nan(abc_1),NaN(0x1),-nan,-0\n", dict(defaults=None)),
    ("defaults that are dtype codes as Python floats", "a,b\n,\n", dict(defaults=[1.0, 2.0])),
    ("cr only with a line break in quotes", 'name,v\r"two\rlines",1\r', dict(defaults=None, select=[1])),
    ("missing with defaults", "a,b\n1,\n,2\n", dict(defaults=[-1.0, -2.0])),
    ("na value", "a,b\n1,NA\nNA,2\n", dict(defaults=[-1.0, -2.0], na_value="NA")),
    ("quoted", 'a,b\n"1","2.5"\n"3",4\n', dict(defaults=None)),
    ("quoted empty takes the default", 'a,b\n1,""\n', dict(defaults=[0.0, -3.0])),
    ("quoted na", 'a,b\n1,"NA"\n', dict(defaults=[0.0, -3.0], na_value="NA")),
    ("quoted line break in a skipped column", 'name,v\n"two\nlines",1\n"say ""hi""",2\n', dict(defaults=None, select=[1])),
    ("select by index", "a,b,c\n1,2,3\n4,5,6\n", dict(defaults=None, select=[0, 2])),
    ("tab delimiter", "a\tb\n1\t2\n", dict(defaults=None, delim="\t")),
    ("no header", "1,2\n3,4\n", dict(defaults=None, header=False)),
    ("quotes as text", 'a,b\n1,2"3\n', dict(defaults=None, quotes=False)),
    # refused
    ("missing without default", "a,b\n1,\n", dict(defaults=None)),
    ("na without default", "a,b\n1,NA\n", dict(defaults=None, na_value="NA")),
    ("not a number", "a,b\n1,x\n", dict(defaults=None)),
    ("spaces only", "a,b\n1,  \n", dict(defaults=None)),
    ("space before na", "a,b\n1, NA\n", dict(defaults=[0.0, 0.0], na_value="NA")),
    ("comma decimal", 'a,b\n1,"1,5"\n', dict(defaults=None)),
    ("half exponent", "a,b\n1,1e\n", dict(defaults=None)),
    ("underscore", "a,b\n1,1_0\n", dict(defaults=None)),
    ("suffix f", "a,b\n1,1f\n", dict(defaults=None)),
    ("fullwidth digit", "a,b\n1,\uff11\n", dict(defaults=None)),
    ("empty line", "a,b\n1,2\n\n3,4\n", dict(defaults=None)),
    ("trailing empty line", "a,b\n1,2\n\n", dict(defaults=None)),
    ("too few fields", "a,b\n1,2\n8\n", dict(defaults=None)),
    ("too many fields", "a,b\n1,2\n8,9,10\n", dict(defaults=None)),
    ("quote inside a field", 'a,b\n1,2"3\n', dict(defaults=None)),
    ("text after a closing quote", 'a,b\n1,"2"x\n', dict(defaults=None)),
    ("quotes as text, not a number", 'a,b\n1,"2"\n', dict(defaults=None, quotes=False)),
    ("nan with a bad payload", "a,b\n1,nan(a b)\n", dict(defaults=None)),
    ("nan with an open payload", "a,b\n1,nan(\n", dict(defaults=None)),
]


def main():
    out = {"tensorflow": tf.__version__, "cases": []}
    with tempfile.TemporaryDirectory() as d:
        for name, text, o in CASES:
            p = os.path.join(d, "f.csv")
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            ncols = len(o["select"]) if "select" in o else len(text.replace("\r", "\n").split("\n")[0].split(o.get("delim", ",")))
            # a Python float 1.0, 2.0, 3.0 ... in record_defaults reads as a dtype code: give tensors
            defaults = ([tf.constant([v], tf.float32) for v in o["defaults"]] if o["defaults"] is not None
                        else [tf.float32] * ncols)
            kw = dict(record_defaults=defaults, header=o.get("header", True), field_delim=o.get("delim", ","),
                      use_quote_delim=o.get("quotes", True), na_value=o.get("na_value", ""))
            if "select" in o:
                kw["select_cols"] = o["select"]
            case = {"name": name, "text": text, "options": o}
            try:
                rows = [[np.float32(v.numpy()) for v in r] for r in tf.data.experimental.CsvDataset(p, **kw)]
                case["rows"] = [[("nan" if math.isnan(v) else "inf" if v == math.inf else "-inf" if v == -math.inf else float(v))
                                 for v in r] for r in rows]
                case["bits"] = [[int(np.array([v], np.float32).view(np.uint32)[0]) for v in r] for r in rows]
            except tf.errors.InvalidArgumentError as e:
                case["refused"] = str(e).split("}}")[-1].split(" [Op:")[0].strip()
            out["cases"].append(case)
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "csv.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
