#!/usr/bin/env python3
"""Write real PyTorch state dicts as safetensors, with an input and PyTorch's output for each, for
tests/Recur.Tests/Export/PyTorchStateDictTests.cs (Recur's PyTorchStateDict reading them).

Run from anywhere (paths are relative to this file):

    python3 tools/make_pytorch_state_fixtures.py

Needs PyTorch (Debian: apt-get install python3-torch; written against 1.13) and no safetensors
package: the files are written here with struct + json, as the format says (8-byte little-endian
header length, compact JSON header with sorted names, padded with spaces to a multiple of 8, then
the float32 data back to back), and read back with check_safetensors.read_safetensors.

For each case it writes `fixtures/pt_<case>.safetensors` (the module's state_dict() exactly, keys as
torch names them) and `fixtures/pt_<case>.json` (make_fixtures.py's format: `x`, the input, token ids
as floats for an Embedding; `y`, torch's output). Same guarantees as make_fixtures.py: float32, one
thread, fixed seeds, byte-identical reruns.
"""

import json
import struct
from pathlib import Path

import torch

from check_safetensors import read_safetensors
from make_fixtures import FIXTURES, randn, write_fixture


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: float32 tensor} as safetensors (names sorted), atomically; returns the bytes written."""
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    blob = struct.pack("<Q", len(text)) + text + b"".join(blobs)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(blob)
    tmp.replace(path)
    return blob


class LstmHead(torch.nn.Module):
    """Two-layer LSTM, a Linear head on the last step (out[:, -1] == h_n[-1]); torch names rnn, fc."""

    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(5, 6, num_layers=2, batch_first=True)
        self.fc = torch.nn.Linear(6, 3)

    def forward(self, x):
        out, (h_n, _) = self.rnn(x)
        assert torch.equal(out[:, -1], h_n[-1])
        return self.fc(out[:, -1])


class BiGruHead(torch.nn.Module):
    """Bidirectional GRU, a Linear head on Recur's last output: [forward at step T-1, backward at step 0]."""

    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(4, 5, batch_first=True, bidirectional=True)
        self.dense = torch.nn.Linear(10, 2)

    def forward(self, x):
        out, h_n = self.gru(x)
        last = torch.cat([out[:, -1, :5], out[:, 0, 5:]], dim=1)
        assert torch.equal(last, torch.cat([h_n[-2], h_n[-1]], dim=1))
        return self.dense(last)


class EmbeddingRnnSteps(torch.nn.Module):
    """Embedding, two-layer bidirectional relu RNN, a Linear on every step."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(10, 4)
        self.rnn = torch.nn.RNN(4, 3, num_layers=2, nonlinearity="relu", batch_first=True, bidirectional=True)
        self.dense = torch.nn.Linear(6, 2)

    def forward(self, ids):
        out, _ = self.rnn(self.embedding(ids))
        return self.dense(out)


def case(name, description, module, x, seed):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():  # N(0, 0.5): larger than torch's default, so every weight counts
            p.copy_(randn(*p.shape, scale=0.5))
        y = module(x)
    state = module.state_dict()
    path = FIXTURES / f"pt_{name}.safetensors"
    write_safetensors(path, state)
    back, _ = read_safetensors(path)
    assert list(back) == sorted(state), (list(back), sorted(state))
    assert all(torch.equal(back[k], state[k]) for k in state)
    print(f"wrote {path.name}: {', '.join(f'{k} {list(v.shape)}' for k, v in sorted(state.items()))}")
    write_fixture(f"pt_{name}.json", description, {"seed": seed}, {"x": x.to(torch.float32), "y": y})


def main():
    torch.set_num_threads(1)
    torch.manual_seed(1313)
    case("lstm_head", "LstmHead: nn.LSTM(5, 6, num_layers=2, batch_first) as 'rnn', nn.Linear(6, 3) as 'fc' on out[:, -1]; x [3, 4, 5]",
         LstmHead(), randn(3, 4, 5), 1)
    case("bigru_head", "BiGruHead: nn.GRU(4, 5, bidirectional) as 'gru', nn.Linear(10, 2) as 'dense' on [out[:, -1, :5], out[:, 0, 5:]]; x [2, 6, 4]",
         BiGruHead(), randn(2, 6, 4), 2)
    ids = torch.randint(0, 10, (2, 5))
    case("embedding_rnn", "EmbeddingRnnSteps: nn.Embedding(10, 4), nn.RNN(4, 3, num_layers=2, relu, bidirectional), nn.Linear(6, 2) per step; ids [2, 5]",
         EmbeddingRnnSteps(), ids, 3)


if __name__ == "__main__":
    main()
