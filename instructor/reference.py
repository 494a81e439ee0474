"""The reference implementation of every function the students write.

Instructor-only: this file never ships with a student release. The hidden tests import it at
autograde time, through ``instructor.grading``.

Notation (the course's, used in every notebook): samples are rows.

    X (m, n)   y (m,) integer labels   Y = one_hot(y, K) (m, K)
    params = {"W1": (n, H), "b1": (H,), "W2": (H, K), "b2": (K,)}

    H1 = X W1 + b1     A1 = ReLU(H1)     Z = A1 W2 + b2     P = softmax(Z)
    J  = mean_i(-log P[i, y_i]) + lam/(2m) (||W1||_F^2 + ||W2||_F^2)

    dZ  = (P - Y)/m          dW2 = A1^T dZ + (lam/m) W2     db2 = sum_i dZ     dA1 = dZ W2^T
    dH1 = dA1 * [H1 > 0]     dW1 = X^T dH1 + (lam/m) W1     db1 = sum_i dH1    dX  = dH1 W1^T
"""
from __future__ import annotations

import time

import numpy as np

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


def softmax_cross_entropy_grad(Z, y):
    """dJ/dZ for J = cross_entropy(softmax(Z), y): (softmax(Z) - Y) / m."""
    Z = np.asarray(Z, dtype=float)
    m, K = Z.shape
    return (softmax(Z) - one_hot(y, K)) / m


# --------------------------------------------------------------------------------- 03 ReLU mask
def relu(H):
    return np.maximum(np.asarray(H, dtype=float), 0.0)


def relu_mask(H):
    """[H > 0] as floats: the ReLU derivative, taken as 0 at H = 0."""
    return (np.asarray(H) > 0).astype(float)


def output_layer_backward(dZ, A1, W2):
    """Backward through Z = A1 W2 + b2, without L2: returns (dW2, db2, dA1)."""
    return A1.T @ dZ, dZ.sum(axis=0), dZ @ W2.T


def hidden_layer_backward(dA1, H1, X):
    """Backward through A1 = ReLU(H1), H1 = X W1 + b1, without L2: returns (dW1, db1)."""
    dH1 = dA1 * relu_mask(H1)
    return X.T @ dH1, dH1.sum(axis=0)


# -------------------------------------------------------------------------------- 04 L2 penalty
def l2_penalty(params, lam, m):
    """lam/(2m) (||W1||_F^2 + ||W2||_F^2); the biases are not penalised."""
    return float(lam / (2.0 * m) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)))


def l2_grad(W, lam, m):
    """Gradient of lam/(2m) ||W||_F^2 with respect to W: (lam/m) W."""
    return (lam / m) * np.asarray(W, dtype=float)


# ------------------------------------------------------------------------------- 05 backprop
def forward(params, X):
    """Forward pass. Returns (P, cache) with cache holding H1, A1, Z and P."""
    X = np.asarray(X, dtype=float)
    H1 = X @ params["W1"] + params["b1"]
    A1 = relu(H1)
    Z = A1 @ params["W2"] + params["b2"]
    P = softmax(Z)
    return P, {"H1": H1, "A1": A1, "Z": Z, "P": P}


def loss(params, X, y, lam):
    """J = mean cross-entropy + L2 penalty (cross-entropy computed as a stable log-softmax)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(int).reshape(-1)
    _, cache = forward(params, X)
    m = X.shape[0]
    data = -np.mean(log_softmax(cache["Z"])[np.arange(m), y])
    return float(data + l2_penalty(params, lam, m))


def backward(params, cache, X, y, lam, *, with_dX=True):
    """All gradients of loss(params, X, y, lam): a dict with W1, b1, W2, b2 and X (= dX).
    with_dX=False leaves out dX, which training does not need (a third of the backward pass)."""
    X = np.asarray(X, dtype=float)
    m = X.shape[0]
    dZ = (cache["P"] - one_hot(y, cache["P"].shape[1])) / m
    dW2, db2, dA1 = output_layer_backward(dZ, cache["A1"], params["W2"])
    dH1 = dA1 * relu_mask(cache["H1"])
    dW1, db1 = X.T @ dH1, dH1.sum(axis=0)
    grads = {
        "W1": dW1 + l2_grad(params["W1"], lam, m),
        "b1": db1,
        "W2": dW2 + l2_grad(params["W2"], lam, m),
        "b2": db2,
    }
    if with_dX:
        grads["X"] = dH1 @ params["W1"].T
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


# ----------------------------------------------------------------------------- 06 train digits
def init_params(n=256, H=256, K=10, seed=0):
    """He-initialised weights (scale sqrt(2/fan_in)) and zero biases."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n, H)) * np.sqrt(2.0 / n),
        "b1": np.zeros(H),
        "W2": rng.standard_normal((H, K)) * np.sqrt(2.0 / H),
        "b2": np.zeros(K),
    }


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

    history holds per-epoch lists: "loss" (on the training set), "acc", and with
    validation data "val_loss" and "val_acc", plus "time" (seconds since the start).
    momentum: classical momentum (velocity v <- momentum v - lr g; p <- p + v).
    lr_schedule: "constant" or "cosine" (lr decays to 0 over the epochs along a half cosine).
    augment_shift: shift each training image by up to this many pixels each epoch (16x16 images).
    The per-batch gradient uses lam scaled to the batch (lam * batch/m), so that each step
    descends the full objective J on average.
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
            grads = backward(params, cache, Xb, yb, lam * len(idx) / m, with_dX=False)
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
    data = -np.mean(log_softmax(cache["Z"])[np.arange(m), y])
    return (float(data + l2_penalty(params, lam, m)),
            accuracy(np.argmax(cache["Z"], axis=1), y))
