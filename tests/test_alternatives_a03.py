"""03_relu_mask: correct answers written differently from the reference all pass, both the
public checks and the hidden grade (loops, einsum, np.where, other dtypes, lists)."""
import numpy as np
import pytest

from course import exercises as ex
from instructor import grading


# --------------------------------------------------------------------------------------- relu
def relu_where(H):
    H = np.asarray(H)
    return np.where(H > 0, H, 0)


def relu_product(H):
    H = np.asarray(H, dtype=float)
    return H * (H > 0)


def relu_clip(H):
    return np.clip(H, 0, None)


def relu_loop(H):
    H = np.asarray(H, dtype=float)
    out = H.copy()
    for i in np.ndindex(out.shape):
        if out[i] < 0:
            out[i] = 0.0
    return out


def relu_float32(H):
    return np.maximum(np.asarray(H, dtype=np.float32), np.float32(0))


def relu_list(H):
    return np.maximum(H, 0).tolist()


# ---------------------------------------------------------------------------------- relu_mask
def mask_heaviside(H):
    return np.heaviside(np.asarray(H, dtype=float), 0.0)


def mask_sign_of_relu(H):   # the form in one source derivation: sgn(ReLU(h))
    return np.sign(np.maximum(np.asarray(H, dtype=float), 0))


def mask_bool(H):
    return np.asarray(H) > 0


def mask_int(H):
    return np.where(np.asarray(H) > 0, 1, 0)


def mask_float32(H):
    return (np.asarray(H) > 0).astype(np.float32)


def mask_loop(H):
    H = np.asarray(H)
    M = np.zeros(H.shape)
    for i in np.ndindex(H.shape):
        M[i] = 1.0 if H[i] > 0 else 0.0
    return M


# ------------------------------------------------------------------------------ column_shapes
def shapes_lists(Dx, Dh, Nc):
    return {"z": [Dh, 1], "h": [Dh, 1], "Theta": [Nc, 1], "delta1": [1, Nc],
            "dJ_dz": [1, Dh], "dJ_dU": [Nc, Dh], "dJ_dW": [Dh, Dx]}


def shapes_by_numpy(Dx, Dh, Nc):
    """Let numpy work the shapes out on dummy arrays."""
    x, W, b1 = np.zeros((Dx, 1)), np.zeros((Dh, Dx)), np.zeros((Dh, 1))
    U, b2 = np.zeros((Nc, Dh)), np.zeros((Nc, 1))
    z = W @ x + b1
    h = np.maximum(z, 0)
    Theta = U @ h + b2
    delta1 = Theta.T
    dJ_dz = (delta1 @ U) * (h.T > 0)
    return {"z": z.shape, "h": h.shape, "Theta": Theta.shape, "delta1": delta1.shape,
            "dJ_dz": dJ_dz.shape, "dJ_dU": (delta1.T @ h.T).shape,
            "dJ_dW": (dJ_dz.T @ x.T).shape}


def shapes_numpy_ints(Dx, Dh, Nc):
    return {k: np.array(v) for k, v in shapes_lists(Dx, Dh, Nc).items()}


# ---------------------------------------------------------------------- output_layer_backward
def output_einsum(dZ, A1, W2):
    return (np.einsum("ih,ik->hk", A1, dZ), np.einsum("ik->k", dZ),
            np.einsum("ik,hk->ih", dZ, W2))


def output_loops(dZ, A1, W2):
    m, K = dZ.shape
    H = A1.shape[1]
    dW2, db2, dA1 = np.zeros((H, K)), np.zeros(K), np.zeros((m, H))
    for i in range(m):
        dW2 += np.outer(A1[i], dZ[i])
        db2 += dZ[i]
        dA1[i] = W2 @ dZ[i]
    return dW2, db2, dA1


def output_list_and_ones(dZ, A1, W2):
    ones = np.ones(dZ.shape[0])
    return [np.dot(A1.T, dZ), ones @ dZ, (W2 @ dZ.T).T]


def output_transpose_of_product(dZ, A1, W2):
    return (dZ.T @ A1).T, np.sum(dZ, axis=0), np.matmul(dZ, np.transpose(W2))


# ---------------------------------------------------------------------- hidden_layer_backward
def hidden_einsum(dA1, H1, X):
    dH1 = np.where(H1 > 0, dA1, 0.0)
    return np.einsum("in,ih->nh", X, dH1), np.einsum("ih->h", dH1)


def hidden_loops(dA1, H1, X):
    m, n = np.shape(X)
    H = H1.shape[1]
    dW1, db1 = np.zeros((n, H)), np.zeros(H)
    for i in range(m):
        for h in range(H):
            if H1[i, h] > 0:
                dW1[:, h] += X[i] * dA1[i, h]
                db1[h] += dA1[i, h]
    return dW1, db1


def hidden_boolean_index(dA1, H1, X):
    dH1 = np.array(dA1, dtype=float)
    dH1[H1 <= 0] = 0.0
    return [np.asarray(X, dtype=float).T @ dH1, dH1.sum(axis=0)]


def hidden_outer_products(dA1, H1, X):
    dH1 = dA1 * np.heaviside(H1, 0.0)
    dW1 = sum(np.outer(X[i], dH1[i]) for i in range(len(X)))
    return dW1, (np.ones(len(X)) @ dH1)


ALTERNATIVES = [
    ("relu", relu_where), ("relu", relu_product), ("relu", relu_clip), ("relu", relu_loop),
    ("relu", relu_float32), ("relu", relu_list),
    ("relu_mask", mask_heaviside), ("relu_mask", mask_sign_of_relu), ("relu_mask", mask_bool),
    ("relu_mask", mask_int), ("relu_mask", mask_float32), ("relu_mask", mask_loop),
    ("column_shapes", shapes_lists), ("column_shapes", shapes_by_numpy),
    ("column_shapes", shapes_numpy_ints),
    ("output_layer_backward", output_einsum), ("output_layer_backward", output_loops),
    ("output_layer_backward", output_list_and_ones),
    ("output_layer_backward", output_transpose_of_product),
    ("hidden_layer_backward", hidden_einsum), ("hidden_layer_backward", hidden_loops),
    ("hidden_layer_backward", hidden_boolean_index),
    ("hidden_layer_backward", hidden_outer_products),
]


@pytest.mark.parametrize("name,fn", ALTERNATIVES, ids=[f.__name__ for _, f in ALTERNATIVES])
def test_correct_alternative_passes(name, fn, capsys):
    assert ex.all_exercises()[name].check(fn)
    assert "public checks passed" in capsys.readouterr().out
    assert grading.grade(name, fn)
