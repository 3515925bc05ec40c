"""Prints a JSON {generator(seed): sha256 of every array it returns} for every data generator of
lossbook.datasets that needs no arguments, for seeds 0 and 1. Run by different Python
environments (a student's, the grader's) to show that they make the same data."""

import dataclasses
import hashlib
import inspect
import json

import numpy as np

import lossbook.datasets as datasets

fingerprints = {}
for name in datasets.__all__:
    make = getattr(datasets, name)
    if not name.startswith("make_"):
        continue
    if any(p.default is inspect.Parameter.empty for p in inspect.signature(make).parameters.values()):
        continue
    for seed in (0, 1):
        data = make(seed=seed)
        digest, arrays = hashlib.sha256(), 0
        for field in dataclasses.fields(data):
            value = getattr(data, field.name)
            if isinstance(value, np.ndarray):
                digest.update(field.name.encode() + str(value.dtype).encode() + np.ascontiguousarray(value).tobytes())
                arrays += 1
        assert arrays, f"{name} returned no arrays"
        fingerprints[f"{name}(seed={seed})"] = digest.hexdigest()
print(json.dumps(fingerprints, sort_keys=True))
