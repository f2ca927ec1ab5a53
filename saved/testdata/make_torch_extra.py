#!/usr/bin/env python3
"""Writes the extra PyTorch checkpoints the saved package's tests read.

Run with Debian's python3-torch (PyTorch 1.13) from saved/testdata:

    /usr/bin/python3 make_torch_extra.py

Every .pt file gets a JSON twin torch_extra.json listing, for each file, the
tensors torch.load gives (flattened through dicts and lists with dotted
names, as saved.ReadTorch names them): name, dtype, shape and row-major data
as float64 (from torch, independently of the Go code).
"""
import collections, io, json, zipfile
import torch

torch.manual_seed(1234)
out = {}

def flat(obj, prefix=""):
    res = []
    if isinstance(obj, torch.Tensor):
        return [(prefix, obj)]
    if isinstance(obj, dict):
        items = [(str(k), v) for k, v in obj.items()]
    elif isinstance(obj, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(obj)]
    else:
        return []
    for k, v in items:
        res += flat(v, prefix + "." + k if prefix else k)
    return res

def record(fname, obj, bare=None):
    ts = flat(obj) if bare is None else [(bare, obj)]
    out[fname] = [{"name": n, "dtype": str(t.dtype).replace("torch.", ""),
                   "shape": list(t.shape),
                   "data": t.detach().double().reshape(-1).tolist()} for n, t in ts]

# Views: transposed (non-contiguous strides), a slice with a storage offset,
# two tensors sharing one storage, an expanded tensor with stride 0, a scalar.
base = torch.randn(5, 6)
views = collections.OrderedDict()
views["t"] = base.t()                 # stride (1, 6)
views["slice"] = base[1:4, 2:5]       # offset 8, stride (6, 1)
views["row"] = base[3]                # offset 18, shares storage with t
views["every_other"] = base[:, ::2]   # stride (6, 2)
views["expand"] = torch.randn(3, 1).expand(3, 4)  # stride (1, 0)
views["scalar"] = torch.tensor(2.5)
views["perm"] = torch.randn(2, 3, 4).permute(2, 0, 1)
torch.save(views, "torch_views.pt")
record("torch_views.pt", views)

# Element types.
dt = collections.OrderedDict()
dt["f16"] = torch.randn(3, 2).half()
dt["bf16"] = torch.randn(4).bfloat16()
dt["f64"] = torch.randn(2, 2, dtype=torch.float64)
dt["i64"] = torch.tensor([-3, 0, 7, 2**40], dtype=torch.int64)
dt["i32"] = torch.tensor([[-5, 6]], dtype=torch.int32)
dt["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
dt["i8"] = torch.tensor([-7, 7], dtype=torch.int8)
dt["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
dt["b"] = torch.tensor([True, False, True])
torch.save(dt, "torch_dtypes.pt")
record("torch_dtypes.pt", dt)

# A training checkpoint: nested state dicts, an optimizer, plain values.
net = torch.nn.GRU(2, 3)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
net(torch.randn(4, 1, 2))[0].sum().backward()
opt.step()
ckpt = {"epoch": 3, "model_state_dict": net.state_dict(),
        "optimizer_state_dict": opt.state_dict(), "loss": 0.25,
        "note": "delayed cue", "dtype": torch.float32, "device": torch.device("cpu"),
        "hist": [torch.tensor([1.0, 2.0]), torch.Size([2, 3])]}
torch.save(ckpt, "torch_checkpoint.pt")
record("torch_checkpoint.pt", ckpt)

# Protocols 4 and 5 (FRAME, SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE).
small = collections.OrderedDict(w=torch.randn(2, 3), b=torch.randn(3))
for proto in (4, 5):
    fn = "torch_proto%d.pt" % proto
    torch.save(small, fn, pickle_protocol=proto)
    record(fn, small)

# A bare Parameter and a bare tensor.
p = torch.nn.Parameter(torch.randn(2, 2))
torch.save({"p": p}, "torch_parameter.pt")
record("torch_parameter.pt", {"p": p})
bare = torch.randn(3)
torch.save(bare, "torch_bare.pt")
record("torch_bare.pt", bare, bare="torch_bare")

# The same state dict rewritten without 64-byte alignment (Python's zipfile,
# no extra field): torch.load must read it too.
with zipfile.ZipFile("torch_views.pt") as src, zipfile.ZipFile("torch_unaligned.pt", "w", zipfile.ZIP_STORED) as dst:
    for info in src.infolist():
        dst.writestr(info.filename, src.read(info.filename))
record("torch_unaligned.pt", torch.load("torch_unaligned.pt", weights_only=True))

# The legacy (pre-1.6) format, which the Go reader refuses.
torch.save(small, "torch_legacy.pt", _use_new_zipfile_serialization=False)

with open("torch_extra.json", "w") as f:
    json.dump(out, f, indent=0)
print("wrote", sorted(out) + ["torch_legacy.pt"])
