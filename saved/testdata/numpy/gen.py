# Generates the NumPy and safetensors test files of this directory with real
# NumPy (Debian python3-numpy 1.24) and writes the expected values, converted
# to float64 by NumPy, to expected.json. Run: /usr/bin/python3 gen.py
import json, struct
import numpy as np
from numpy.lib import format as npf

rng = np.random.default_rng(1234)
cases = {}

def save(name, arr, version=None):
    with open(name + ".npy", "wb") as f:
        npf.write_array(f, arr, version=version)
    c = np.ascontiguousarray(arr).astype(np.float64)
    cases[name] = {"shape": list(arr.shape), "descr": arr.dtype.str,
                   "fortran": bool(arr.flags.f_contiguous and not arr.flags.c_contiguous),
                   "data": c.ravel(order="C").tolist()}

a = rng.standard_normal((3, 4))
save("f8_c", a)
save("f8_fortran", np.asfortranarray(rng.standard_normal((2, 3, 4))))
save("f4_be", rng.standard_normal((2, 5)).astype(">f4"))
save("f4_fortran_be", np.asfortranarray(rng.standard_normal((3, 2)).astype(">f4")))
save("f2", np.array([0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, 6e-8, 6.1e-5, 1/3, 0.1], dtype="<f2"))
save("f2_be", np.array([[1.5, -0.25], [1000.0, 3e-7]], dtype=">f2"))
save("scalar", np.array(3.25))
save("vec", rng.standard_normal(5))
save("empty", np.zeros((0, 3)))
save("i8", np.array([[-(2**53), 2**53], [-1, 7]], dtype="<i8"))
save("i8_be", np.array([-3, 4, 2**40], dtype=">i8"))
save("i4", np.array([-(2**31), 2**31 - 1, 0], dtype="<i4"))
save("u1", np.array([0, 1, 255], dtype="u1"))
save("b1", np.array([[True, False], [False, True]]))
save("v2", rng.standard_normal((2, 2)), version=(2, 0))
save("v3", rng.standard_normal((2,)), version=(3, 0))

np.savez_compressed("compressed.npz", W=rng.standard_normal((4, 3)), b=np.arange(3.0))
z = np.load("compressed.npz")
cases["compressed.npz"] = {k: {"shape": list(z[k].shape), "data": z[k].ravel().tolist()} for k in z.files}

# A safetensors file built by hand from the format description (8-byte
# little-endian header length, JSON header, little-endian data).
f32 = rng.standard_normal((2, 3)).astype("<f4")
f16 = np.array([1.0, -0.5, 65504.0, 6e-8], dtype="<f2")
bf_src = rng.standard_normal(4).astype("<f4")
bf = (bf_src.view("<u4") >> 16).astype("<u2")  # truncation is a valid bf16 value
bf_val = (bf.astype("<u4") << 16).view("<f4")
f64 = rng.standard_normal((1, 2))
i64 = np.array([-5, 2**50], dtype="<i8")
i32 = np.array([[7], [-9]], dtype="<i4")
parts = [("a_f32", "F32", f32), ("b_f16", "F16", f16), ("c_bf16", "BF16", bf),
         ("d_f64", "F64", f64), ("e_i64", "I64", i64), ("f_i32", "I32", i32)]
header, blobs, off = {"__metadata__": {"format": "pt", "source": "gen.py"}}, [], 0
for name, dt, arr in parts:
    b = arr.tobytes()
    header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
    off += len(b)
    blobs.append(b)
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open("mixed.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
vals = {"a_f32": f32, "b_f16": f16, "c_bf16": bf_val, "d_f64": f64, "e_i64": i64, "f_i32": i32}
cases["mixed.safetensors"] = {k: {"shape": list(v.shape), "data": v.astype(np.float64).ravel().tolist()} for k, v in vals.items()}

with open("expected.json", "w") as f:
    json.dump(cases, f, indent=1)
