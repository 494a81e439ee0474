"""03_relu_mask, the layers: correct answers written differently from the reference pass both the
public check and the hidden grade (loops, einsum, np.where, other dtypes, lists); realistic wrong
answers and hostile ones fail with a message that says what is wrong; a mistake in relu_mask is
not charged again to relu_backward; the per-layer gradient checks and the mask explorer work on
right, wrong and unwritten functions."""
import types

import numpy as np
import pytest

from course import exercises as ex
from instructor import grading


# ------------------------------------------------------------------------------ relu_forward
def relu_where(Z):
    Z = np.asarray(Z)
    return np.where(Z > 0, Z, 0)


def relu_product(Z):
    Z = np.asarray(Z, dtype=float)
    return Z * (Z > 0)


def relu_clip(Z):
    return np.clip(Z, 0, None)


def relu_half_abs(Z):
    Z = np.asarray(Z, dtype=float)
    return (Z + np.abs(Z)) / 2


def relu_loop(Z):
    out = np.array(Z, dtype=float)
    for i in np.ndindex(out.shape):
        if out[i] < 0:
            out[i] = 0.0
    return out


def relu_float32(Z):
    return np.maximum(np.asarray(Z, dtype=np.float32), np.float32(0))


def relu_list(Z):
    return np.maximum(Z, 0).tolist()


# -------------------------------------------------------------------------------- mask_of_Z1
def mask_computed():
    Z1 = np.array([[2, -1, 0, 0.5], [-0.5, 0, 3, -2]])
    return (Z1 > 0).astype(float)


def mask_ints():
    return np.array([[1, 0, 0, 1], [0, 0, 1, 0]])


def mask_lists():
    return [[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0]]


# --------------------------------------------------------------------------------- relu_mask
def mask_heaviside(Z):
    return np.heaviside(np.asarray(Z, dtype=float), 0.0)


def mask_sign_of_relu(Z):   # source 003's form: sgn(ReLU(z))
    return np.sign(np.maximum(np.asarray(Z, dtype=float), 0))


def mask_int(Z):
    return np.where(np.asarray(Z) > 0, 1, 0)


def mask_float32(Z):
    return (np.asarray(Z) > 0).astype(np.float32)


def mask_times_one(Z):
    return 1.0 * (np.asarray(Z) > 0)


def mask_loop(Z):
    Z = np.asarray(Z)
    M = np.zeros(Z.shape)
    for i in np.ndindex(Z.shape):
        M[i] = 1.0 if Z[i] > 0 else 0.0
    return M


# ----------------------------------------------------------------------------- relu_jacobian
def jacobian_diag_of_mask():
    z = np.array([-1, 2, 0, 0.5])
    return np.diag((z > 0).astype(float))


def jacobian_eye_times_mask():
    return np.eye(4) * np.array([0, 1, 0, 1])


def jacobian_by_hand():
    return [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]


# ----------------------------------------------------------------------------- relu_backward
def backward_where(dA, Z):
    return np.where(np.asarray(Z) > 0, dA, 0.0)


def backward_bool(dA, Z):
    return dA * (np.asarray(Z) > 0)


def backward_boolean_index(dA, Z):
    dZ = np.array(dA, dtype=float)
    dZ[np.asarray(Z) <= 0] = 0.0
    return dZ


def backward_loop(dA, Z):
    dZ = np.zeros(np.shape(Z))
    for i in np.ndindex(dZ.shape):
        if Z[i] > 0:
            dZ[i] = dA[i]
    return dZ


def relu_backward_float32(dA, Z):
    return np.asarray(dA, dtype=np.float32) * np.heaviside(np.asarray(Z, dtype=np.float32), 0)


def backward_with_relu_mask(dA, Z):   # calls the notebook's relu_mask (graded with the reference)
    return dA * relu_mask(Z)  # noqa: F821 - provided by the grading, as in the notebook


# ----------------------------------------------------------------------------- tanh_backward
def tanh_via_cosh(dA, Z):
    return np.asarray(dA) / np.cosh(np.asarray(Z, dtype=float)) ** 2


def tanh_via_output(dA, Z):
    A = np.tanh(Z)
    return dA * (1 - A * A)


def tanh_via_sech_exp(dA, Z):   # 4 / (e^z + e^-z)^2: exp overflows to inf, 4/inf = 0: right
    Z = np.asarray(Z, dtype=float)
    return dA * 4 / (np.exp(Z) + np.exp(-Z)) ** 2


def tanh_float32(dA, Z):
    A = np.tanh(np.asarray(Z, dtype=np.float32))
    return np.asarray(dA, dtype=np.float32) * (np.float32(1) - A ** 2)


# ---------------------------------------------------------------------------- affine_forward
def affine_einsum(X, W, b):
    return np.einsum("id,dk->ik", X, W) + b


def affine_dot_row(X, W, b):
    return np.dot(X, W) + np.reshape(b, (1, -1))


def affine_transposes(X, W, b):
    return (np.asarray(W).T @ np.asarray(X).T).T + b


def affine_loops(X, W, b):
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    out = np.zeros((X.shape[0], W.shape[1]))
    for i in range(X.shape[0]):
        for k in range(W.shape[1]):
            out[i, k] = sum(X[i, p] * W[p, k] for p in range(X.shape[1])) + b[k]
    return out


def affine_float32_list(X, W, b):
    return (np.asarray(X, dtype=np.float32) @ np.asarray(W, dtype=np.float32) + b).tolist()


# ---------------------------------------------------------------------------- affine_by_hand
def by_hand_computed():
    X, W, dOut = np.array([[1, 2], [3, -1]]), np.array([[2], [-1]]), np.array([[1], [-2]])
    return {"dX": dOut @ W.T, "dW": X.T @ dOut, "db": dOut.sum(axis=0)}


def by_hand_lists():
    return {"db": [-1], "dW": [[-5], [4]], "dX": [[2, -1], [-4, 2]]}


# ---------------------------------------------------------------------------- affine_backward
def backward_einsum(dOut, X, W):
    return (np.einsum("ik,dk->id", dOut, W), np.einsum("id,ik->dk", X, dOut),
            np.einsum("ik->k", dOut))


def backward_loops(dOut, X, W):
    m, k = np.shape(dOut)
    d = np.shape(X)[1]
    dX, dW, db = np.zeros((m, d)), np.zeros((d, k)), np.zeros(k)
    for i in range(m):
        dW += np.outer(X[i], dOut[i])
        db += dOut[i]
        dX[i] = W @ dOut[i]
    return dX, dW, db


def backward_list_and_ones(dOut, X, W):
    ones = np.ones(len(dOut))
    return [(W @ np.transpose(dOut)).T, np.dot(np.transpose(X), dOut), ones @ dOut]


def backward_transposed_products(dOut, X, W):
    return np.matmul(dOut, np.transpose(W)), (np.transpose(dOut) @ X).T, np.sum(dOut, axis=0)


def backward_float32(dOut, X, W):
    dOut, X, W = (np.asarray(a, dtype=np.float32) for a in (dOut, X, W))
    return dOut @ W.T, X.T @ dOut, dOut.sum(axis=0)


# ----------------------------------------------------------------------- dW_product, cost
def product_float():
    return 2.0


def cost_by_shapes():
    m, n, H, K = 64, 256, 256, 10
    products = {"forward": [(m, n, H), (m, H, K)],
                "backward": [(H, m, K), (m, K, H), (n, m, H)]}
    count = {k: sum(a * b * c for a, b, c in v) for k, v in products.items()}
    params = sum(np.prod(s) for s in [(n, H), (H,), (H, K), (K,)])
    count["numerical"] = 2 * params * count["forward"]
    return count


def cost_floats():
    forward = 64.0 * (256 * 256 + 256 * 10)
    return {"forward": forward, "backward": 64.0 * (256 * 256 + 2 * 256 * 10),
            "numerical": np.float64(2 * 68362) * forward}


# ----------------------------------------------------------------------------- column_shapes
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


ALTERNATIVES = {
    "relu_forward": [relu_where, relu_product, relu_clip, relu_half_abs, relu_loop,
                     relu_float32, relu_list],
    "mask_of_Z1": [mask_computed, mask_ints, mask_lists],
    "relu_mask": [mask_heaviside, mask_sign_of_relu, mask_int, mask_float32, mask_times_one,
                  mask_loop],
    "relu_jacobian": [jacobian_diag_of_mask, jacobian_eye_times_mask, jacobian_by_hand],
    "relu_backward": [backward_where, backward_bool, backward_boolean_index, backward_loop,
                      relu_backward_float32, backward_with_relu_mask],
    "tanh_backward": [tanh_via_cosh, tanh_via_output, tanh_via_sech_exp, tanh_float32],
    "affine_forward": [affine_einsum, affine_dot_row, affine_transposes, affine_loops,
                       affine_float32_list],
    "affine_by_hand": [by_hand_computed, by_hand_lists],
    "dW_product": [product_float],
    "affine_backward": [backward_einsum, backward_loops, backward_list_and_ones,
                        backward_transposed_products, backward_float32],
    "backprop_cost": [cost_by_shapes, cost_floats],
    "column_shapes": [shapes_lists, shapes_by_numpy, shapes_numpy_ints],
}


@pytest.mark.parametrize("name,fn", [(n, f) for n, fs in ALTERNATIVES.items() for f in fs],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_correct_alternative_passes_public_and_hidden(name, fn, capsys, monkeypatch):
    if fn is backward_with_relu_mask:  # as in the notebook: the student's relu_mask is there
        monkeypatch.setitem(globals(), "relu_mask", mask_heaviside)
    assert getattr(ex, name).check(fn)
    assert "passed" in capsys.readouterr().out
    assert grading.grade(name, fn)


# ------------------------------------------------------------------- wrong answers, named
def _relu_in_place(Z):
    Z[Z < 0] = 0
    return Z


def _tanh_overflows(dA, Z):   # 4 e^{2z} / (e^{2z} + 1)^2: inf / inf at z = 400
    E = np.exp(2 * np.asarray(Z, dtype=float))
    return dA * 4 * E / (E + 1) ** 2


WRONG = [
    ("relu_forward", lambda Z: np.max(Z, 0), "np.maximum(Z, 0), which compares every entry"),
    ("relu_forward", lambda Z: (Z > 0).astype(float), "the mask [Z > 0]"),
    ("relu_forward", _relu_in_place, "modified its argument"),
    ("relu_forward", lambda Z: None, "did you forget to `return`"),
    ("mask_of_Z1", lambda: np.array([[1.0, 0, 1, 1], [0, 1, 1, 0]]), "the mask [Z1 >= 0]"),
    ("mask_of_Z1", lambda: np.array([[1.0, 0, 0, 1], [0, 0, 1, 0]]).T, "transposed"),
    ("relu_mask", lambda Z: np.asarray(Z) > 0, "booleans"),
    ("relu_mask", lambda Z: (np.asarray(Z) >= 0).astype(float), "the mask [Z >= 0]"),
    ("relu_mask", lambda Z: np.sign(Z), "np.sign(Z)"),
    ("relu_jacobian", lambda: np.tile([0.0, 1, 0, 1], (4, 1)), "every row equal to the mask"),
    ("relu_jacobian", lambda: np.array([0.0, 1, 0, 1]), "only the diagonal"),
    ("relu_backward", lambda dA, Z: dA @ (Z > 0), "a matrix product (@)"),
    ("relu_backward", lambda dA, Z: dA * (dA > 0), "the mask of dA"),
    ("relu_backward", lambda dA, Z: dA * np.maximum(Z, 0), "ReLU(Z), the values"),
    ("tanh_backward", lambda dA, Z: dA * (1 - Z ** 2), "written with Z"),
    ("tanh_backward", lambda dA, Z: dA * (1 - np.tanh(Z)), "without the square"),
    ("tanh_backward", _tanh_overflows, "not finite at Z = -400 or 400"),
    ("affine_forward", lambda X, W, b: X @ W, "the bias b left out"),
    ("affine_forward", lambda X, W, b: X @ W.T + b, "X W^T + b"),
    ("affine_forward", lambda X, W, b: X @ W + b[:, None], "b added down the columns"),
    ("affine_by_hand", lambda: {"dX": [[2, -1], [-4, 2]], "dW": [[-5], [4]], "db": [-0.5]},
     "db as the mean"),
    ("affine_by_hand", lambda: {"dX": [[2, -1], [-4, 2]], "dW": [[-5, 4]], "db": [-1]},
     "dW as a row"),
    ("dW_product", lambda: 3, "the transpose of W2's shape"),
    ("affine_backward", lambda d, X, W: (d @ W.T, d.T @ X, d.sum(axis=0)), "transposed product"),
    ("affine_backward", lambda d, X, W: (d @ W.T, X.T @ d, d.sum()), "with no axis"),
    ("affine_backward", lambda d, X, W: (X.T @ d, d.sum(axis=0), d @ W.T), "in the order"),
    ("affine_backward", lambda d, X, W: (d @ W, X.T @ d, d.sum(axis=0)), "without the transpose"),
    ("affine_backward", lambda d, X, W: {"dX": d @ W.T}, "tuple of 3"),
    ("backprop_cost", lambda: {"forward": 64 * 256 * 256, "backward": 64 * (256 * 256 + 5120),
                               "numerical": 2 * 68362 * 64 * 256 * 256},
     "only the hidden layer's product"),
    ("backprop_cost", lambda: {"forward": 64 * 68096, "backward": 64 * 70656,
                               "numerical": 68362 * 64 * 68096},
     "a central difference evaluates J twice"),
    ("column_shapes", lambda Dx, Dh, Nc: {**shapes_lists(Dx, Dh, Nc), "h": (Dx, 1)},
     "as the source writes it"),
    ("column_shapes", lambda Dx, Dh, Nc: shapes_lists(256, 100, 10), "fixed numbers"),
]


@pytest.mark.parametrize("name,fn,words", WRONG, ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_answer_fails_public_check_with_a_specific_message(name, fn, words):
    with pytest.raises(ex.CheckFailed) as err:
        getattr(ex, name).check(fn)
    assert words in str(err.value), str(err.value)


def test_a_boolean_mask_fails_the_exercise_though_its_numbers_are_right():
    """The hidden cases compare numbers (True is 1.0); the public check, which the grade runs
    too (a failing public check fails the exercise), is what refuses booleans."""
    bool_mask = lambda Z: np.asarray(Z) > 0  # noqa: E731
    graded = grading.registry()["relu_mask"]
    assert grading.verdict(graded, [grading.run_case(graded, bool_mask, case)
                                     for case in graded.make_cases()]) is None
    with pytest.raises(ex.CheckFailed, match="booleans"):
        ex.relu_mask.check(bool_mask)
    with pytest.raises(grading.HiddenTestFailed, match="the public check fails: .*booleans"):
        grading.grade("relu_mask", bool_mask)


def test_hidden_grade_refuses_an_input_modified_in_place():
    with pytest.raises(grading.HiddenTestFailed, match="modified its input"):
        grading.grade("relu_forward", _relu_in_place)

    def affine_backward_in_place(dOut, X, W):
        grads = dOut @ W.T, X.T @ dOut, dOut.sum(axis=0)
        X *= 0  # "the cache is not needed any more": the caller's X is
        return grads
    with pytest.raises(grading.HiddenTestFailed, match=r"modified its input argument\(s\) \[1\]"):
        grading.grade("affine_backward", affine_backward_in_place)


def test_a_mistake_in_relu_mask_is_not_charged_again_to_relu_backward():
    wrong_mask = lambda Z: (np.asarray(Z) >= 0).astype(float)  # noqa: E731
    relu_backward = types.FunctionType(backward_with_relu_mask.__code__,
                                       {"np": np, "relu_mask": wrong_mask}, "relu_backward")
    assert grading.grade("relu_backward", relu_backward)  # graded with the reference's mask
    with pytest.raises(ex.CheckFailed, match="calls your `relu_mask`, which fails its own"):
        ex.relu_backward.check(relu_backward)


def test_a_question_answered_with_the_wrong_signature_is_told_so():
    with pytest.raises(ex.CheckFailed, match="raised TypeError"):
        ex.mask_of_Z1.check(lambda Z1: Z1 > 0)
    with pytest.raises(grading.HiddenTestFailed, match="TypeError"):
        grading.grade("dW_product", lambda choice: 2)


# --------------------------------------------------------------- the per-layer gradient checks
def test_layer_checks_pass_right_backward_steps_and_catch_wrong_ones(capsys):
    from course.layer_checks import check_activation, check_affine
    from instructor import reference as R

    assert check_activation(R.relu_forward, R.relu_backward, kinks=True).ok
    report = check_activation(R.relu_forward, R.relu_backward, kinks=True)
    assert sum(report.kinks.values()) == 2  # the two exact zeros are set aside
    assert check_activation(np.tanh, R.tanh_backward).ok
    assert not check_activation(np.tanh, lambda dA, Z: dA * (1 - np.tanh(Z))).ok
    assert not check_activation(R.relu_forward, lambda dA, Z: dA, kinks=True).ok
    assert check_affine(R.affine_forward, R.affine_backward).ok
    wrong = check_affine(R.affine_forward, lambda d, X, W: (d @ W.T, X.T @ d / 5, d.sum(0)))
    assert not wrong.ok and wrong.errors["X"] < 1e-7 and "MISMATCH" in str(wrong)

    def relu_backward(dA, Z):
        raise NotImplementedError()
    assert check_activation(R.relu_forward, relu_backward) is None
    assert check_affine(R.affine_forward, lambda d, X, W: d) is None
    out = capsys.readouterr().out
    assert "Write relu_backward above" in out and "could not run" in out


# ------------------------------------------------------------------------ the mask explorer
def test_mask_explorer_draws_with_the_students_functions_and_survives_stubs(capsys):
    from course import widgets
    from instructor import reference as R

    fig = widgets.relu_mask_explorer_figure(R.relu_forward, R.relu_mask, R.relu_backward, -0.5)
    assert len(fig.axes) == 11  # six panels, five colour bars
    assert "your mask gives them 0 ✓" in widgets.relu_mask_explorer_text(R.relu_mask, -0.5)
    wrong = widgets.relu_mask_explorer_text(lambda Z: (Z >= 0).astype(float), -0.5)
    assert "✗" in wrong

    def relu_backward(dA, Z):
        raise NotImplementedError()
    assert widgets.relu_mask_explorer_figure(R.relu_forward, R.relu_mask, relu_backward,
                                             0.0) is None
    assert "Implement `relu_backward`" in capsys.readouterr().out
    box = widgets.relu_mask_explorer(R.relu_forward, R.relu_mask, relu_backward)
    assert box.children
