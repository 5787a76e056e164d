"""opaque_v8_iterations.keras: keras3_real/bf16.keras with optimizer/vars/0 (Adam's iteration count) replaced by a
scalar 8-byte opaque dataset with an empty tag holding int64 7 (a session 30 review's probe). Keras 3.15.1 refuses the
file ("A total of 1 objects could not be loaded ... Adam"); jrnn must not mark an opaque type other than bfloat16's 2
bytes and read it as a number. Run from this folder with /usr/bin/python3 (h5py)."""
import h5py, numpy as np, zipfile, os
z = zipfile.ZipFile("../keras3_real/bf16.keras")
open("tmp_v8.h5", "wb").write(z.read("model.weights.h5"))
with h5py.File("tmp_v8.h5", "a") as f:
    del f["optimizer/vars/0"]
    f.create_dataset("optimizer/vars/0", data=np.frombuffer(np.int64(7).tobytes(), dtype="V8").reshape(()))
with zipfile.ZipFile("opaque_v8_iterations.keras", "w") as out:
    for n in z.namelist():
        out.writestr(n, open("tmp_v8.h5", "rb").read() if n == "model.weights.h5" else z.read(n))
os.remove("tmp_v8.h5")
