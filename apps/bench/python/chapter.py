#!/usr/bin/python3
"""The chapter's program as a PyTorch user writes it: the same run as `torchlet train` with no options.

Timed as a whole process against the CLI by scripts/whole-process.mjs (issue 19's "whole process"
target). Same seed, data, network (3-32-1, ReLU), loss, learning rate and epochs as the CLI's default
run, printing the same lines, so both processes do the same work: start, import, train, print.
"""
import time

import torch

start = time.perf_counter()
torch.manual_seed(42)
x = torch.randn(100, 3)
y = x.matmul(torch.tensor([0.2, -1.3, -0.5])).unsqueeze(1) + torch.randn(100, 1)
w1 = torch.randn(3, 32, requires_grad=True)
w2 = torch.randn(32, 1, requires_grad=True)
b1 = torch.zeros(1, 32, requires_grad=True)
b2 = torch.zeros(1, 1, requires_grad=True)
params = [w1, w2, b1, b2]
lr = 1e-4
for epoch in range(1, 201):
    loss = ((x.mm(w1) + b1).relu().mm(w2) + b2 - y).pow(2).mean()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= p.grad * lr
        for p in params:
            p.grad.zero_()
    if epoch % 10 == 0:
        print(f"Epoch: {epoch}   Loss: {loss.item():.7g}")
elapsed = time.perf_counter() - start
print(f"Final loss: {loss.item():.7g} after 200 epochs in {elapsed:.2f} s ({200 / elapsed:.0f} epochs/s)")
