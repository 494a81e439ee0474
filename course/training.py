"""Helpers for 06: the validation split, He initialisation and shifted digits.

Nothing here is an exercise: these are the parts of training the notebook uses but does not ask
you to write.
"""
from __future__ import annotations

import numpy as np


def split_validation(X, y, fraction=0.2, seed=0):
    """(X_train, y_train, X_val, y_val): a random `fraction` of the rows held out for
    validation, the same rows for the same seed. The test set is not touched."""
    X, y = np.asarray(X), np.asarray(y)
    order = np.random.default_rng(seed).permutation(len(y))
    cut = int(round(len(y) * (1 - fraction)))
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def init_params(n=256, H=256, K=10, seed=0):
    """He initialisation: weights drawn from N(0, 2 / fan-in), zero biases."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.standard_normal((n, H)) * np.sqrt(2.0 / n), "b1": np.zeros(H),
            "W2": rng.standard_normal((H, K)) * np.sqrt(2.0 / H), "b2": np.zeros(K)}


def shift_images(X, rng, max_shift=1, side=16):
    """Each row of X (a side x side image) moved by a random (dy, dx), |dy|, |dx| <= max_shift;
    pixels moved in from outside are background (-1)."""
    m = X.shape[0]
    pad = max_shift
    padded = np.pad(np.asarray(X, float).reshape(m, side, side), ((0, 0), (pad, pad),
                                                                  (pad, pad)),
                    constant_values=-1.0)
    dy = rng.integers(0, 2 * pad + 1, size=m)  # where the window starts in the padded image
    dx = rng.integers(0, 2 * pad + 1, size=m)
    rows = (dy[:, None] + np.arange(side))[:, :, None]
    cols = (dx[:, None] + np.arange(side))[:, None, :]
    return padded[np.arange(m)[:, None, None], rows, cols].reshape(m, side * side)
