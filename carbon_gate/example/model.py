"""A small dense network in plain numpy, like the seed paper's "dummy models".

`setup` builds the network and a batch of inputs once; `predict` runs one inference call on the
batch; `train_step` runs one optimisation step (forward, backward, SGD update) on the same batch.
Width and depth are parameters of `setup`, so the budget file can make the model larger or smaller.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

# Shape left open (Any): numpy's stubs type shapes differently from one release to the next.
Floats = np.ndarray[Any, np.dtype[np.float64]]
Indices = np.ndarray[Any, np.dtype[np.intp]]


@dataclass
class Network:
    """Weights, biases and one batch of inputs and labels."""

    weights: list[Floats]
    biases: list[Floats]
    inputs: Floats
    labels: np.ndarray[Any, np.dtype[np.int64]]
    learning_rate: float = 0.01


def setup(
    *,
    width: int = 256,
    depth: int = 3,
    batch: int = 32,
    features: int = 64,
    classes: int = 10,
    seed: int = 0,
) -> Network:
    """A network of `depth` hidden layers of `width` units, and a random batch to run it on."""
    rng = np.random.default_rng(seed)
    sizes = [features] + [width] * depth + [classes]
    weights = [
        rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    biases = [np.zeros(n_out) for n_out in sizes[1:]]
    inputs = rng.standard_normal((batch, features))
    labels = rng.integers(0, classes, size=batch)
    return Network(weights, biases, inputs, labels)


def _forward(net: Network) -> list[Floats]:
    """Activations of every layer, input first; ReLU between layers, logits last."""
    activations = [net.inputs]
    for i, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = activations[-1] @ w + b
        activations.append(z if i == len(net.weights) - 1 else np.maximum(z, 0.0))
    return activations


def predict(net: Network) -> Indices:
    """One inference call: the predicted class of every sample in the batch."""
    predicted: Indices = np.argmax(_forward(net)[-1], axis=1)
    return predicted


def train_step(net: Network) -> float:
    """One SGD step with softmax cross-entropy on the batch; returns the loss."""
    activations = _forward(net)
    logits = activations[-1]
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    batch = len(net.labels)
    loss = float(-np.log(probabilities[np.arange(batch), net.labels] + 1e-12).mean())
    grad = probabilities
    grad[np.arange(batch), net.labels] -= 1.0
    grad /= batch
    for i in reversed(range(len(net.weights))):
        grad_w = activations[i].T @ grad
        grad_b = grad.sum(axis=0)
        if i > 0:
            grad = (grad @ net.weights[i].T) * (activations[i] > 0)
        net.weights[i] -= net.learning_rate * grad_w
        net.biases[i] -= net.learning_rate * grad_b
    return loss
