"""Damaged torch.save files for TorchWeightsBadInputTest: a real torch 1.13 state_dict (LSTM(3, 2) then Linear(2, 1))
with one zip field changed in each copy, and what torch says of each (torch_says.txt).

Run from this folder: /usr/bin/python3 make_damaged.py
"""
import os
import struct
import zipfile

import torch

os.chdir(os.path.dirname(os.path.abspath(__file__)))
torch.manual_seed(0)
sd = {"lstm." + k: v for k, v in torch.nn.LSTM(3, 2, batch_first=True).state_dict().items()}
sd.update({"dense." + k: v for k, v in torch.nn.Linear(2, 1).state_dict().items()})
torch.save(sd, "ok.pt")
b = open("ok.pt", "rb").read()
z = zipfile.ZipFile("ok.pt")
name = next(i.filename for i in z.infolist() if i.filename.endswith("data/1"))
info = z.getinfo(name)

bad = bytearray(b)
bad[info.header_offset] ^= 0x04   # the record's local header signature 'PK\3\4' -> 'TK\3\4'
open("bad_local_header.pt", "wb").write(bytes(bad))

bad = bytearray(b)   # the central directory's local header offset of the record moved past the end of the file
at = 0
while True:
    at = bad.find(b"PK\x01\x02", at)
    n = struct.unpack("<H", bad[at + 28:at + 30])[0]
    if bad[at + 46:at + 46 + n] == name.encode():
        struct.pack_into("<I", bad, at + 42, info.header_offset + 4 * 65536)
        break
    at += 4
open("local_offset_past_end.pt", "wb").write(bytes(bad))

with open("torch_says.txt", "w") as out:
    for f in ("bad_local_header.pt", "local_offset_past_end.pt"):
        try:
            torch.load(f)
            out.write(f"{f}: torch loads it\n")
        except Exception as e:
            out.write(f"{f}: {type(e).__name__}: {' '.join(str(e).split())[:200]}\n")
