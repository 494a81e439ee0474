"""The reference implementation of every function the students write.

Instructor-only: this file never ships with a student release and never enters a student's
process (the trusted re-grade calls it on the trusted side).

Notation (the course's, used in every notebook): samples are rows.

    X (m, n)   y (m,) integer labels   Y = one_hot(y, K) (m, K)
    params = {"W1": (n, H), "b1": (H,), "W2": (H, K), "b2": (K,)}      H: the hidden size

    Z1 = X W1 + b1 (m, H)   A1 = ReLU(Z1)   Z2 = A1 W2 + b2 (m, K), the logits   P = softmax(Z2)
    J  = mean_i(-log P[i, y_i]) + lam/(2m) (||W1||_F^2 + ||W2||_F^2)

Backward, as a composition of the layers' own backward steps:

    dZ2 = (P - Y)/m                              softmax_cross_entropy_backward
    dA1, dW2, db2 = dZ2 W2^T, A1^T dZ2, sum_i dZ2    affine_backward (output layer)
    dZ1 = dA1 * [Z1 > 0]                         relu_backward
    dX, dW1, db1 = dZ1 W1^T, X^T dZ1, sum_i dZ1      affine_backward (hidden layer)
    dW1 += (lam/m) W1,  dW2 += (lam/m) W2           l2_grad
"""
from __future__ import annotations

import time

import numpy as np

# Not exercises, written once: the validation split and the He initialisation are the student
# library's (06 uses them without asking for them)
from course.training import init_params, split_validation  # noqa: F401

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# ----------------------------------------------------------------------------------- 01 softmax
def softmax(Z):
    """Row-wise softmax of Z (m, K), stable for any finite logits."""
    Z = np.asarray(Z, dtype=float)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    E = np.exp(shifted)
    return E / E.sum(axis=-1, keepdims=True)


def softmax_jacobian(z):
    """d softmax(z) / dz for one logit vector z (K,): the (K, K) matrix diag(s) - s s^T."""
    s = softmax(np.asarray(z, dtype=float).reshape(-1))
    return np.diag(s) - np.outer(s, s)


def ce_partial(y_hat, t, j):
    """dL/dz_j for L = -log y_hat[t], one sample: y_hat_j - [t = j]."""
    return float(np.asarray(y_hat, dtype=float)[j] - (1.0 if j == t else 0.0))


# ----------------------------------------------------------------------------- 02 cross-entropy
def one_hot(y, K):
    """Y (m, K) with Y[i, y_i] = 1 and zeros elsewhere."""
    y = np.asarray(y).astype(int).reshape(-1)
    Y = np.zeros((y.shape[0], int(K)))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def cross_entropy(P, y):
    """Mean over the m rows of -log P[i, y_i]."""
    P = np.asarray(P, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    return float(-np.mean(np.log(P[np.arange(P.shape[0]), y])))


def log_softmax(Z):
    """log softmax(Z), computed without forming softmax(Z) (finite for any finite Z)."""
    Z = np.asarray(Z, dtype=float)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_cross_entropy_backward(Z, y):
    """dJ/dZ for J = cross_entropy(softmax(Z), y), the mean over the batch: (P - Y)/m."""
    Z = np.asarray(Z, dtype=float)
    m, K = Z.shape
    return (softmax(Z) - one_hot(y, K)) / m


# ------------------------------------------------------------------------------ 03 the layers
def affine_forward(X, W, b):
    """The affine layer: X W + b, for X (m, d), W (d, k), b (k,)."""
    return np.asarray(X, dtype=float) @ np.asarray(W, dtype=float) + np.asarray(b, dtype=float)


def affine_backward(dOut, X, W):
    """Backward through Out = X W + b, given dOut = dJ/dOut (m, k): returns (dX, dW, db)."""
    dOut, X, W = (np.asarray(a, dtype=float) for a in (dOut, X, W))
    return dOut @ W.T, X.T @ dOut, dOut.sum(axis=0)


def relu_forward(Z):
    """max(Z, 0), entry by entry."""
    return np.maximum(np.asarray(Z, dtype=float), 0.0)


def relu_mask(Z):
    """[Z > 0] as floats: the ReLU's derivative, taken as 0 at Z = 0."""
    return (np.asarray(Z) > 0).astype(float)


def relu_backward(dA, Z):
    """Backward through A = ReLU(Z): dZ = dA * [Z > 0]."""
    return np.asarray(dA, dtype=float) * relu_mask(Z)


def tanh_backward(dA, Z):
    """Backward through A = tanh(Z): dZ = dA * (1 - tanh(Z)^2)."""
    return np.asarray(dA, dtype=float) * (1.0 - np.tanh(np.asarray(Z, dtype=float)) ** 2)


def column_shapes(Dx, Dh, Nc):
    """The shapes in source 003's column form, for one sample (z = W x + b1, h = ReLU(z),
    Theta = U h + b2): gradients with respect to vectors are rows, with respect to matrices have
    the matrix's shape."""
    return {"z": (Dh, 1), "h": (Dh, 1), "Theta": (Nc, 1), "delta1": (1, Nc),
            "dJ_dz": (1, Dh), "dJ_dU": (Nc, Dh), "dJ_dW": (Dh, Dx)}


# -------------------------------------------------------------------------------- 04 L2 penalty
def l2_penalty(params, lam, m):
    """lam/(2m) (||W1||_F^2 + ||W2||_F^2); the biases are not penalised."""
    return float(lam / (2.0 * m) * (np.sum(np.asarray(params["W1"], float) ** 2)
                                     + np.sum(np.asarray(params["W2"], float) ** 2)))


def l2_grad(W, lam, m):
    """Gradient of lam/(2m) ||W||_F^2 with respect to W: (lam/m) W."""
    return (lam / m) * np.asarray(W, dtype=float)


def regularised_grads(grads, params, lam, m):
    """The data gradients with the penalty's gradient added to the weights' (not the biases')."""
    return {k: np.asarray(g, dtype=float) + (l2_grad(params[k], lam, m) if k in ("W1", "W2")
                                             else 0.0) for k, g in grads.items()}


def minibatch_lam(lam, batch_size, m):
    """The lam to use on a minibatch of batch_size samples, under the course's convention that
    each step descends the full objective J on average: lam * batch_size / m."""
    return float(lam * batch_size / m)


# ------------------------------------------------------------------------------- 05 backprop
def forward(params, X):
    """Forward pass, layer by layer. Returns (P, cache) with cache holding Z1, A1, Z2 and P."""
    Z1 = affine_forward(X, params["W1"], params["b1"])
    A1 = relu_forward(Z1)
    Z2 = affine_forward(A1, params["W2"], params["b2"])
    P = softmax(Z2)
    return P, {"Z1": Z1, "A1": A1, "Z2": Z2, "P": P}


def loss(params, X, y, lam):
    """J = mean cross-entropy + L2 penalty (the cross-entropy through a stable log-softmax)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    _, cache = forward(params, X)
    m = X.shape[0]
    data = -np.mean(log_softmax(cache["Z2"])[np.arange(m), y])
    return float(data + l2_penalty(params, lam, m))


def backward(params, cache, X, y, lam, *, with_dX=True):
    """All gradients of loss(params, X, y, lam), layer by layer: a dict with W1, b1, W2, b2 and
    X (= dX). with_dX=False leaves out dX, which training does not need."""
    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    dZ2 = softmax_cross_entropy_backward(cache["Z2"], y)
    dA1, dW2, db2 = affine_backward(dZ2, cache["A1"], params["W2"])
    dZ1 = relu_backward(dA1, cache["Z1"])
    if with_dX:
        dX, dW1, db1 = affine_backward(dZ1, X, params["W1"])
    else:  # the same step without its dX product, a third of the work
        dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    grads = {"W1": dW1 + l2_grad(params["W1"], lam, m), "b1": db1,
             "W2": dW2 + l2_grad(params["W2"], lam, m), "b2": db2}
    if with_dX:
        grads["X"] = dX
    return grads


def numerical_gradient(f, x, h=1e-5):
    """Central differences (f(x + h e_i) - f(x - h e_i)) / 2h for every entry of x, in place.

    x is perturbed in place (so that f may close over it) and restored exactly afterwards.
    """
    grad = np.zeros(x.shape, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def dW2_from(E, A1):
    """dW2 from E = P - Y and A1 (no penalty): A1^T E / m, of shape (H, K)."""
    E, A1 = np.asarray(E, dtype=float), np.asarray(A1, dtype=float)
    return A1.T @ E / E.shape[0]


def db1_from(G, X):
    """db1 from G = dA1 * [Z1 > 0] without the 1/m (the mean over the samples)."""
    G = np.asarray(G, dtype=float)
    return G.sum(axis=0) / G.shape[0]


# ----------------------------------------------------------------------------- 06 train digits
def sgd_step(params, grads, lr):
    """One gradient-descent step, in place: p <- p - lr * dp for each parameter. Returns params."""
    for k in PARAM_NAMES:
        params[k] -= lr * grads[k]
    return params


def predict(params, X):
    """The most probable class of each row of X."""
    P, _ = forward(params, X)
    return np.argmax(P, axis=1)


def accuracy(y_pred, y):
    """Fraction of predictions equal to the labels."""
    return float(np.mean(np.asarray(y_pred).reshape(-1) == np.asarray(y).reshape(-1)))


def shift_images(X, rng, side=16, max_shift=1):
    """Each row, seen as a side x side image, shifted by up to max_shift pixels (background -1)."""
    m = X.shape[0]
    imgs = X.reshape(m, side, side)
    out = np.full_like(imgs, imgs.min())
    dy = rng.integers(-max_shift, max_shift + 1, size=m)
    dx = rng.integers(-max_shift, max_shift + 1, size=m)
    for sy in range(-max_shift, max_shift + 1):
        for sx in range(-max_shift, max_shift + 1):
            idx = np.flatnonzero((dy == sy) & (dx == sx))
            if idx.size == 0:
                continue
            src = imgs[idx][:, max(0, -sy):side - max(0, sy), max(0, -sx):side - max(0, sx)]
            out[idx, max(0, sy):side - max(0, -sy), max(0, sx):side - max(0, -sx)] = src
    return out.reshape(m, -1)


#: The settings of the reference training run on USPS (256-256-10): >= 95 % test accuracy.
TRAIN_SETTINGS = dict(lam=1.0, lr=0.05, epochs=15, batch_size=64, seed=0,
                      momentum=0.9, lr_schedule="cosine", augment_shift=1)


def train(params, X, y, lam=0.0, lr=0.1, epochs=10, batch_size=64, seed=0, *,
          momentum=0.0, lr_schedule="constant", augment_shift=0, X_val=None, y_val=None):
    """Minibatch SGD on loss(params, X, y, lam), updating params in place. Returns the history.

    history holds per-epoch lists: "loss" (J on the training set), "acc", and with validation
    data "val_loss" and "val_acc", plus "time" (seconds since the start).
    momentum: classical momentum (velocity v <- momentum v - lr g; p <- p + v).
    lr_schedule: "constant" or "cosine" (lr decays to 0 over the epochs along a half cosine).
    augment_shift: shift each training image by up to this many pixels each epoch (16x16 images).
    Each minibatch's gradient uses minibatch_lam(lam, b, m), so that each step descends the full
    objective J on average.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    velocity = {k: np.zeros_like(params[k]) for k in PARAM_NAMES}
    history = {"loss": [], "acc": [], "time": []}
    if X_val is not None:
        history.update(val_loss=[], val_acc=[])
    start = time.perf_counter()
    for epoch in range(epochs):
        if lr_schedule == "cosine":
            lr_now = 0.5 * lr * (1 + np.cos(np.pi * epoch / epochs))
        elif lr_schedule == "constant":
            lr_now = lr
        else:
            raise ValueError(f"unknown lr_schedule {lr_schedule!r}: use 'constant' or 'cosine'")
        X_epoch = shift_images(X, rng, max_shift=augment_shift) if augment_shift else X
        order = rng.permutation(m)
        for start_i in range(0, m, batch_size):
            idx = order[start_i:start_i + batch_size]
            Xb, yb = X_epoch[idx], y[idx]
            _, cache = forward(params, Xb)
            grads = backward(params, cache, Xb, yb, minibatch_lam(lam, len(idx), m),
                             with_dX=False)
            for k in PARAM_NAMES:
                velocity[k] = momentum * velocity[k] - lr_now * grads[k]
                params[k] += velocity[k]
        for prefix, (Xs, ys) in (("", (X, y)), ("val_", (X_val, y_val))):
            if Xs is not None:
                J, acc = evaluate(params, Xs, ys, lam)
                history[prefix + "loss"].append(J)
                history[prefix + "acc"].append(acc)
        history["time"].append(time.perf_counter() - start)
    return history


def evaluate(params, X, y, lam):
    """(J, accuracy) of params on (X, y), from one forward pass: what loss() and
    accuracy(predict()) give, for half the work."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    _, cache = forward(params, X)
    m = X.shape[0]
    data = -np.mean(log_softmax(cache["Z2"])[np.arange(m), y])
    return (float(data + l2_penalty(params, lam, m)),
            accuracy(np.argmax(cache["Z2"], axis=1), y))
