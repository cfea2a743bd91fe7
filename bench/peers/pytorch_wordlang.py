#!/usr/bin/env python3
"""The PyTorch peer of examples/WordLanguage: the language of a word, the same model, data and settings.

nn.Embedding(V, E, padding_idx=0) -> nn.LSTM or nn.GRU (bidirectional unless --unidirectional) fed through
pack_padded_sequence(enforce_sorted=False) -> nn.Linear(D*H, C) on the final hidden states (forward after each
word's last character, backward after its first: what Recur's masked Bidirectional returns), cross-entropy on
logits, Adam, batches shuffled every epoch and padded to their own longest word. It reads the split that
`examples/WordLanguage --write-text DIR` writes (DIR/train.txt, validation.txt, test.txt, label<TAB>word), builds
the character vocabulary the same way (ids by descending count in the training words; 0 padding, 1 unknown; class
ids in ordinal order of the language names), trains, validates after every epoch, and tests once.

The training time is the wall time of all epochs, validation after each included, as the example measures it.
Run with OpenBLAS's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset and OMP_WAIT_POLICY=PASSIVE (see bench/README.md):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE python3 bench/peers/pytorch_wordlang.py DIR
bench/wordlang_compare.sh runs it and the example back to back with the same settings.
"""
import argparse
import collections
import time


def read(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            if "\t" not in line:
                raise SystemExit(f"{path} line {n}: no tab; expected label<TAB>word")
            label, word = line.split("\t", 1)
            rows.append((label, word))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", help="the directory examples/WordLanguage --write-text wrote")
    p.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--unidirectional", action="store_true")
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()

    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    splits = {name: read(f"{args.dir}/{name}.txt") for name in ("train", "validation", "test")}
    names = sorted({label for label, _ in splits["train"]})
    classes = {name: i for i, name in enumerate(names)}
    counts = collections.Counter(ch for _, word in splits["train"] for ch in word)
    chars = sorted(counts, key=lambda ch: (-counts[ch], ch))
    ids = {ch: i + 2 for i, ch in enumerate(chars)}
    vocab = len(chars) + 2

    def encode(rows):
        lengths = torch.tensor([len(w) for _, w in rows])
        x = torch.zeros(len(rows), int(lengths.max()), dtype=torch.long)
        for i, (_, w) in enumerate(rows):
            x[i, :len(w)] = torch.tensor([ids.get(ch, 1) for ch in w])
        return x, lengths, torch.tensor([classes[label] for label, _ in rows])

    data = {name: encode(rows) for name, rows in splits.items()}
    print(f"{len(names)} languages, train {len(splits['train'])}, validation {len(splits['validation'])}, "
          f"test {len(splits['test'])}; {vocab} character ids")
    print(f"Settings: cell {args.cell}, bidirectional {not args.unidirectional}, embedding {args.embed}, units {args.units}, "
          f"epochs {args.epochs}, batch {args.batch}, Adam lr {args.lr}, seed {args.seed}, threads {torch.get_num_threads()}")

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab, args.embed, padding_idx=0)
            rnn = nn.GRU if args.cell == "gru" else nn.LSTM
            self.rnn = rnn(args.embed, args.units, batch_first=True, bidirectional=not args.unidirectional)
            self.dense = nn.Linear(args.units * (1 if args.unidirectional else 2), len(names))

        def forward(self, x, lengths):
            packed = pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
            _, h = self.rnn(packed)
            h = h[0] if isinstance(h, tuple) else h          # LSTM: (h_n, c_n)
            last = h[-1] if args.unidirectional else torch.cat([h[-2], h[-1]], dim=1)
            return self.dense(last)

    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    def batch(x, lengths, rows):
        b = lengths[rows]
        return x[rows, :int(b.max())], b

    def accuracy(name):
        x, lengths, y = data[name]
        model.eval()
        hits = 0
        with torch.no_grad():
            for s in range(0, len(y), 1000):
                rows = torch.arange(s, min(s + 1000, len(y)))
                xb, lb = batch(x, lengths, rows)
                hits += int((model(xb, lb).argmax(1) == y[rows]).sum())
        model.train()
        return hits / len(y)

    x, lengths, y = data["train"]
    start = time.perf_counter()
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(len(y))
        total, hits = 0.0, 0
        for s in range(0, len(y), args.batch):
            rows = order[s:s + args.batch]
            xb, lb = batch(x, lengths, rows)
            opt.zero_grad()
            logits = model(xb, lb)
            loss = loss_fn(logits, y[rows])
            loss.backward()
            opt.step()
            total += float(loss) * len(rows)
            hits += int((logits.argmax(1) == y[rows]).sum())
        va = accuracy("validation")
        print(f"Epoch {epoch + 1}/{args.epochs} - {time.perf_counter() - t0:.1f}s - loss: {total / len(y):.4f} - "
              f"accuracy: {hits / len(y):.4f} - val_accuracy: {va:.4f}", flush=True)
    elapsed = time.perf_counter() - start
    test = accuracy("test")
    print(f"Training: {args.epochs} epochs in {elapsed:.1f} s ({elapsed / args.epochs:.1f} s per epoch)")
    print(f"Test accuracy: {test:.4f}")
    print(f"RESULT pytorch test_accuracy={test:.4f} train_seconds={elapsed:.1f} epochs={args.epochs}")


if __name__ == "__main__":
    main()
