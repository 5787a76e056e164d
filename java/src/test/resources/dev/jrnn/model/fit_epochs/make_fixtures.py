"""Crafts the fit_epochs fixtures of ModelFilesTest from base.keras.

base.keras: a jrnn .keras file (Dense(1) on 1 input, SGD, mse, after one fit epoch: fit_epochs 1), saved by jrnn
(session 32). Each output is base.keras with only metadata.json's "jrnn" -> "fit_epochs" changed, every other member
copied as it is (same compression):
  at_limit.keras    fit_epochs 16777216 (2^24, Trainer.MAX_FIT_EPOCHS: still loads)
  just_past.keras   fit_epochs 16777217 (2^24 + 1: refused on read, the first value past the limit)
  past_limit.keras  fit_epochs 2147483647 (Integer.MAX_VALUE: refused on read)
Run: python3 make_fixtures.py (in this directory).
"""
import json
import zipfile

CASES = {"at_limit.keras": 1 << 24, "just_past.keras": (1 << 24) + 1, "past_limit.keras": 2**31 - 1}

for name, value in CASES.items():
    with zipfile.ZipFile("base.keras") as src, zipfile.ZipFile(name, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "metadata.json":
                meta = json.loads(data)
                assert "fit_epochs" in meta["jrnn"], "base.keras should be a session 31+ jrnn file"
                meta["jrnn"]["fit_epochs"] = value
                data = json.dumps(meta).encode()
            out.writestr(info, data, compress_type=info.compress_type)
    print(name, value)
