"""Hidden grading for 03_relu_mask, the layers: relu_forward, mask_of_Z1, relu_mask,
relu_jacobian, relu_backward, tanh_backward, affine_forward, affine_by_hand, dW_product,
affine_backward, backprop_cost, column_shapes.

The questions (mask_of_Z1, relu_jacobian, affine_by_hand, dW_product, backprop_cost) are
functions of no arguments that return the student's answer (questions.py): the right answer and
the known wrong ones, named. Their inputs are the public module's.
"""
import numpy as np

from course.exercises import a03_relu_mask as public
from course.i18n import N_, _
from instructor import reference as R

from . import Case, Graded
from .questions import question


def _f(a):
    return np.asarray(a, dtype=float)


def _ties(rng, m, H):
    """Pre-activations on a grid of halves, so that about a ninth of them are exactly 0."""
    return rng.integers(-4, 5, size=(m, H)) / 2.0


# ----------------------------------------------------------------------------- relu_forward
def relu_forward_cases(rng):
    return [
        Case("random Z, m=1, H=3", (rng.normal(size=(1, 3)),), (0,)),
        Case("random Z, m=8, H=16", (rng.normal(size=(8, 16)),), (0,)),
        Case("exact zeros (ties at Z = 0)", (_ties(rng, 5, 7),), (0,)),
        Case("integer Z", (rng.integers(-3, 4, size=(4, 5)),), (0,)),
        Case("float32 Z", (rng.normal(size=(3, 4)).astype(np.float32),), (0,)),
        Case("a 1-D Z", (np.array([-1.0, 0.0, 2.0, -0.5]),), (0,)),
        Case("entries of +-1e30", (np.array([[1e30, -1e30], [-1e-30, 1e-30]]),), (0,)),
    ]


RELU_FORWARD_MISTAKES = {
    N_("the mask [Z > 0] (0s and 1s) instead of the values max(Z, 0)"): lambda Z: R.relu_mask(Z),
    N_("the negative part min(Z, 0) instead of max(Z, 0)"): lambda Z: np.minimum(_f(Z), 0.0),
    N_("|Z| instead of max(Z, 0): negative entries become 0, they do not change sign"):
        lambda Z: np.abs(_f(Z)),
    N_("np.max(Z, 0), the largest entry of each column (0 is the axis), instead of "
       "np.maximum(Z, 0), which compares every entry with 0"): lambda Z: np.max(_f(Z), 0),
}


# ------------------------------------------------------------------------------- mask_of_Z1
MASK_OF_Z1 = R.relu_mask(public.Z1_BY_HAND)
MASK_OF_Z1_MISTAKES = {
    N_("the mask [Z1 >= 0]: the course takes the ReLU's slope at exactly 0 to be 0, so the two "
       "entries where Z1 is exactly 0 get 0"): (public.Z1_BY_HAND >= 0).astype(float),
    N_("the sign of Z1 (-1 where Z1 < 0): the mask holds slopes, 0 or 1"):
        np.sign(public.Z1_BY_HAND),
    N_("ReLU(Z1), the values, instead of the slopes [Z1 > 0]"):
        R.relu_forward(public.Z1_BY_HAND),
    N_("the mask of the negative entries, [Z1 < 0]"): (public.Z1_BY_HAND < 0).astype(float),
    N_("the mask transposed, (4, 2): like Z1, it has one row per sample"): MASK_OF_Z1.T,
}


# -------------------------------------------------------------------------------- relu_mask
def relu_mask_cases(rng):
    return [
        Case("random Z, m=1, H=4", (rng.normal(size=(1, 4)),), (0,)),
        Case("random Z, m=10, H=20", (rng.normal(size=(10, 20)),), (0,)),
        Case("exact zeros (ties at Z = 0)", (_ties(rng, 6, 8),), (0,)),
        Case("integer Z with zeros", (rng.integers(-2, 3, size=(5, 5)),), (0,)),
        Case("float32 Z with zeros", (_ties(rng, 4, 4).astype(np.float32),), (0,)),
        Case("-0.0 and tiny values", (np.array([[-0.0, 0.0, 1e-30, -1e-30, 1e-12]]),), (0,)),
        Case("a 1-D Z", (np.array([0.5, 0.0, -0.5]),), (0,)),
    ]


RELU_MASK_MISTAKES = {
    N_("the mask [Z >= 0]: the course takes the ReLU's slope at exactly 0 to be 0, so a tie "
       "Z = 0 gets 0"): lambda Z: (np.asarray(Z) >= 0).astype(float),
    N_("np.sign(Z), which is -1 (not 0) where Z < 0 (source 003's sgn is 0 for inputs <= 0, and "
       "it is applied to h = ReLU(z), which is never negative)"): lambda Z: np.sign(_f(Z)),
    N_("ReLU(Z), the values, instead of the slopes [Z > 0]"): lambda Z: R.relu_forward(Z),
    N_("the mask of the negative entries, [Z < 0]"): lambda Z: (np.asarray(Z) < 0).astype(float),
}


# ---------------------------------------------------------------------------- relu_jacobian
RELU_JACOBIAN = np.diag(R.relu_mask(public.Z_JACOBIAN))
RELU_JACOBIAN_MISTAKES = {
    N_("every row equal to the mask: entry (j, k) is the slope of a_j when z_k moves, and a_j "
       "does not depend on z_k for k != j, so every entry off the diagonal is 0"):
        np.tile(R.relu_mask(public.Z_JACOBIAN), (4, 1)),
    N_("the identity matrix: on the diagonal, the slope of a_j = max(z_j, 0) is 0 where "
       "z_j <= 0"):
        np.eye(4),
    N_("the mask [z >= 0] on the diagonal: the slope at the tie z = 0 is 0 in this course"):
        np.diag((public.Z_JACOBIAN >= 0).astype(float)),
    N_("ReLU(z), the values, on the diagonal, instead of the slopes"):
        np.diag(R.relu_forward(public.Z_JACOBIAN)),
    N_("only the diagonal (4 numbers): the Jacobian of a map from 4 numbers to 4 numbers is a "
       "4 x 4 matrix, most of it zeros here"): R.relu_mask(public.Z_JACOBIAN),
}


# ---------------------------------------------------------------------------- relu_backward
def relu_backward_cases(rng):
    cases = []
    for m, H in [(1, 3), (8, 16), (4, 4), (6, 10)]:
        cases.append(Case(f"m={m}, H={H}, ties at Z = 0",
                          (rng.normal(size=(m, H)), _ties(rng, m, H)), (0, 1)))
    cases += [
        Case("integer Z", (rng.normal(size=(3, 5)), rng.integers(-2, 3, size=(3, 5))), (0, 1)),
        Case("float32 dA and Z", (rng.normal(size=(4, 3)).astype(np.float32),
                                  _ties(rng, 4, 3).astype(np.float32)), (0, 1)),
        Case("1-D dA and Z", (np.array([0.5, -1.0, 2.0, 1.5]), np.array([1.0, 0.0, -2.0, 3.0])),
             (0, 1)),
        Case("-0.0 and tiny Z", (np.array([[1.0, 2.0, 3.0, 4.0]]),
                                 np.array([[-0.0, 1e-30, -1e-30, 0.0]])), (0, 1)),
    ]
    return cases


RELU_BACKWARD_MISTAKES = {
    N_("no mask: dZ = dA, but a unit with Z <= 0 passes no gradient"): lambda dA, Z: _f(dA),
    N_("the mask [Z >= 0]: a unit at exactly Z = 0 passes no gradient, use [Z > 0]"):
        lambda dA, Z: _f(dA) * (np.asarray(Z) >= 0),
    N_("dA multiplied by ReLU(Z), the values, instead of by the slopes [Z > 0]"):
        lambda dA, Z: _f(dA) * R.relu_forward(Z),
    N_("a matrix product (@) with the mask: the ReLU's Jacobian is diagonal, so the chain rule "
       "multiplies entry by entry (*)"): lambda dA, Z: _f(dA) @ R.relu_mask(Z),
    N_("the mask of dA, [dA > 0], instead of the mask of Z: the forward pass's Z decides which "
       "units were active"): lambda dA, Z: _f(dA) * R.relu_mask(dA),
    N_("the mask alone, [Z > 0], without the upstream gradient dA"):
        lambda dA, Z: R.relu_mask(Z),
    N_("np.sign(Z) as the slope: it is -1 where Z < 0, where the ReLU's slope is 0"):
        lambda dA, Z: _f(dA) * np.sign(_f(Z)),
}


# ---------------------------------------------------------------------------- tanh_backward
def tanh_backward_cases(rng):
    return [
        Case("m=1, H=3", (rng.normal(size=(1, 3)), rng.normal(size=(1, 3))), (0, 1)),
        Case("m=8, H=16", (rng.normal(size=(8, 16)), rng.normal(size=(8, 16)) * 2), (0, 1)),
        Case("Z = 0 (slope 1) and small Z", (rng.normal(size=(2, 3)),
                                             np.array([[0.0, 1e-8, -1e-8], [0.0, 0.1, -0.1]])),
             (0, 1)),
        Case("saturated units, Z = +-30 and +-400",
             (np.ones((1, 4)), np.array([[30.0, -30.0, 400.0, -400.0]])), (0, 1)),
        Case("integer Z", (rng.normal(size=(3, 4)), rng.integers(-2, 3, size=(3, 4))), (0, 1)),
        Case("float32 dA and Z", (rng.normal(size=(3, 3)).astype(np.float32),
                                  rng.normal(size=(3, 3)).astype(np.float32)), (0, 1)),
        Case("1-D dA and Z", (np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.5, 2.0])), (0, 1)),
    ]


TANH_BACKWARD_MISTAKES = {
    N_("the slope 1 - tanh(Z), without the square: tanh' = 1 - tanh^2"):
        lambda dA, Z: _f(dA) * (1 - np.tanh(_f(Z))),
    N_("the slope 1 - Z^2, written with Z where it needs tanh(Z), the layer's output A"):
        lambda dA, Z: _f(dA) * (1 - _f(Z) ** 2),
    N_("the slope (1 - tanh(Z))^2: the square is on tanh(Z) alone, 1 - tanh(Z)^2"):
        lambda dA, Z: _f(dA) * (1 - np.tanh(_f(Z))) ** 2,
    N_("tanh(Z) itself instead of its slope"): lambda dA, Z: _f(dA) * np.tanh(_f(Z)),
    N_("the slope 1 + tanh(Z)^2: the derivative of sinh/cosh is (cosh^2 - sinh^2)/cosh^2 = "
       "1 - tanh^2"): lambda dA, Z: _f(dA) * (1 + np.tanh(_f(Z)) ** 2),
    N_("1/cosh(Z), not squared: the slope is 1/cosh(Z)^2"):
        lambda dA, Z: _f(dA) / np.cosh(_f(Z)),
    N_("the ReLU's mask [Z > 0], copied from relu_backward: tanh's slope is never exactly 0 "
       "or 1"):
        lambda dA, Z: _f(dA) * R.relu_mask(Z),
    N_("the slope alone, without the upstream gradient dA"):
        lambda dA, Z: 1 - np.tanh(_f(Z)) ** 2 + 0 * _f(dA),
}


# --------------------------------------------------------------------------- affine_forward
def affine_forward_cases(rng):
    cases = [Case(f"m={m}, d={d}, k={k}", (rng.normal(size=(m, d)), rng.normal(size=(d, k)),
                                           rng.normal(size=k)), (0, 1, 2))
             for m, d, k in [(1, 3, 2), (5, 4, 3), (4, 4, 4), (16, 32, 10), (3, 6, 1), (2, 1, 3)]]
    cases += [
        Case("integer X, W and b", (rng.integers(-2, 3, size=(3, 5)),
                                    rng.integers(-2, 3, size=(5, 2)),
                                    rng.integers(-2, 3, size=2)), (0, 1, 2)),
        Case("float32 X", (rng.normal(size=(3, 3)).astype(np.float32), rng.normal(size=(3, 3)),
                           rng.normal(size=3)), (0, 1, 2)),
    ]
    return cases


AFFINE_FORWARD_MISTAKES = {
    N_("the bias b left out"): lambda X, W, b: _f(X) @ _f(W),
    N_("X W^T + b: W is (d, k), so X W is already (m, k)"):
        lambda X, W, b: _f(X) @ _f(W).T + _f(b),
    N_("W X + b, the product in the other order: samples are rows, so X comes first"):
        lambda X, W, b: _f(W) @ _f(X) + _f(b),
    N_("X * W + b, an entrywise product (*) where the layer is a matrix product (@)"):
        lambda X, W, b: _f(X) * _f(W) + _f(b),
    N_("b added down the columns (as a column, b[:, None]): b has one entry per output unit and "
       "is added to every row"): lambda X, W, b: _f(X) @ _f(W) + _f(b)[:, None],
}


# --------------------------------------------------------------------------- affine_by_hand
AFFINE_BY_HAND = dict(zip(("dX", "dW", "db"), R.affine_backward(
    public.DOUT_BY_HAND, public.X_BY_HAND, public.W_BY_HAND)))


def _by_hand_with(**wrong):
    """The right answer with the gradients named computed the wrong way."""
    return {**AFFINE_BY_HAND, **{k: f(public.DOUT_BY_HAND, public.X_BY_HAND, public.W_BY_HAND)
                                 for k, f in wrong.items()}}


AFFINE_BY_HAND_MISTAKES = {
    N_("dW divided by m = 2: dOut is already the gradient of J, whatever 1/m J holds; the "
       "chain rule adds the contributions of the two samples, it does not average them"):
        _by_hand_with(dW=lambda dOut, X, W: X.T @ dOut / 2),
    N_("db as the mean of dOut over the samples: b is added to both rows, so its gradient is "
       "the sum of both contributions"):
        _by_hand_with(db=lambda dOut, X, W: dOut.mean(axis=0)),
    N_("db = dOut, one number per sample: b has one entry, which collects both samples' "
       "contributions"): _by_hand_with(db=lambda dOut, X, W: dOut),
    N_("dW as a row, (1, 2): a gradient has the shape of what it is the gradient of, W is "
       "(2, 1)"):
        _by_hand_with(dW=lambda dOut, X, W: (X.T @ dOut).T),
    N_("dX transposed: dX[i, j] is the slope for X[i, j], sample i's input j, which meets only "
       "row i of Out"): _by_hand_with(dX=lambda dOut, X, W: (dOut @ W.T).T),
    N_("dX = X: the slope of Out[i, 0] with respect to X[i, j] is W[j, 0], times dOut[i, 0]"):
        _by_hand_with(dX=lambda dOut, X, W: X),
}


# ------------------------------------------------------------------------------- dW_product
DW_PRODUCT = 2  # A1^T dZ2: (4, 5)(5, 3) = (4, 3)
DW_PRODUCT_MISTAKES = {
    N_("1, dZ2 A1^T: it is (5, 3) times (4, 5), a product that is not defined"): 1,
    N_("3, dZ2^T A1: it is (3, 4), the transpose of W2's shape (4, 3)"): 3,
    N_("4, A1 dZ2^T: it is (5, 4) times (3, 5), a product that is not defined"): 4,
}


# ---------------------------------------------------------------------------- backprop_cost
def _cost(one_sample=False, forward_layers=2, backward="params", fd_evals=2, fd_params="all",
          fd_per_pass=True):
    m, n, H, K = (public.COST_SIZES[k] for k in ("m", "n", "H", "K"))
    m = 1 if one_sample else m
    forward = m * n * H + (m * H * K if forward_layers == 2 else 0)
    products = {"params": m * n * H + 2 * m * H * K,     # dW1, dW2 and dA1
                "with dX": 2 * m * n * H + 2 * m * H * K,
                "no dA1": m * n * H + m * H * K}
    count = {"all": n * H + H + H * K + K, "weights": n * H + H * K}[fd_params]
    return {"forward": forward, "backward": products[backward],
            "numerical": fd_evals * count * (forward if fd_per_pass else 1)}


BACKPROP_COST_MISTAKES = {
    N_("forward: only the hidden layer's product X W1; the output layer's A1 W2 costs m H K "
       "too"):
        _cost(forward_layers=1),
    N_("the cost of one sample: the batch has m = 64 of them, and every product has m rows"):
        _cost(one_sample=True),
    N_("backward: dX = dZ1 W1^T counted too; training needs only the parameters' gradients"):
        _cost(backward="with dX"),
    N_("backward: dA1 = dZ2 W2^T left out; it is the product that carries the gradient down to "
       "the hidden layer"): _cost(backward="no dA1"),
    N_("numerical: one forward pass per parameter; a central difference evaluates J twice, at "
       "w + h and at w - h"): _cost(fd_evals=1),
    N_("numerical: only the weights counted; the biases are parameters too (H + K = 266 of "
       "them)"):
        _cost(fd_params="weights"),
    N_("numerical: the number of forward passes (2 per parameter), not their cost in "
       "multiply-adds"): _cost(fd_per_pass=False),
}


# ---------------------------------------------------------------------------- column_shapes
def column_shapes_reference(Dx, Dh, Nc):
    """R.column_shapes with each shape as an array: a student's shape may be a tuple, a list or
    an array, and each compares with an array (a tuple of numbers would be compared entry by
    entry, and an array of them would not fit)."""
    return {k: np.array(v) for k, v in R.column_shapes(Dx, Dh, Nc).items()}


def column_shapes_cases(rng):
    return [Case(f"Dx={Dx}, Dh={Dh}, Nc={Nc}", (Dx, Dh, Nc))
            for Dx, Dh, Nc in [(256, 100, 10), (5, 3, 2), (3, 7, 4), (784, 256, 10)]]


def _as_shape(value):
    try:
        return tuple(int(v) for v in np.asarray(value).reshape(-1))
    except (TypeError, ValueError):
        return None


def column_shapes_compare(got, expected, case):
    if not isinstance(got, dict):
        return _("the result should be a dict from names to shapes, got {kind}").format(
            kind=type(got).__name__)
    missing = [k for k in expected if k not in got]
    if missing:
        return _("the result is missing the keys {keys}").format(keys=missing)
    for k in expected:
        have = _as_shape(got[k])
        if have != _as_shape(expected[k]):
            return _("the shape of {key} is {shape}, which is wrong").format(
                key=k, shape=have if have is not None else got[k])
    return None


def _shapes_with(**changes):
    def variant(Dx, Dh, Nc):
        out = R.column_shapes(Dx, Dh, Nc)
        out.update({k: f(Dx, Dh, Nc) for k, f in changes.items()})
        return out
    return variant


COLUMN_SHAPES_MISTAKES = {
    N_("h = ReLU(z) given the shape of x, (Dx, 1), as the source writes it; ReLU acts entry by "
       "entry, so h has the shape of z, (Dh, 1)"): _shapes_with(h=lambda Dx, Dh, Nc: (Dx, 1)),
    N_("delta1 and dJ/dz as columns; the source writes the derivative of J with respect to a "
       "column vector as a row (1 x Nc, 1 x Dh)"):
        _shapes_with(delta1=lambda Dx, Dh, Nc: (Nc, 1), dJ_dz=lambda Dx, Dh, Nc: (Dh, 1)),
    N_("dJ/dU transposed, (Dh, Nc); a gradient has the shape of its matrix, (Nc, Dh)"):
        _shapes_with(dJ_dU=lambda Dx, Dh, Nc: (Dh, Nc)),
    N_("dJ/dW in the row form's layout (Dx, Dh), the shape of W1 = W^T; W is (Dh, Dx)"):
        _shapes_with(dJ_dW=lambda Dx, Dh, Nc: (Dx, Dh)),
}


# --------------------------------------------------------------------------- affine_backward
def affine_backward_cases(rng):
    cases = []
    for m, d, k in [(1, 3, 2), (5, 4, 3), (4, 4, 4), (16, 32, 10), (3, 6, 1)]:
        cases.append(Case(f"m={m}, d={d}, k={k}", (rng.normal(size=(m, k)) / m,
                                                   R.relu_forward(_ties(rng, m, d)),
                                                   rng.normal(size=(d, k))), (0, 1, 2)))
    cases += [
        Case("integer X and W", (rng.normal(size=(3, 2)), rng.integers(0, 4, size=(3, 5)),
                                 rng.integers(-2, 3, size=(5, 2))), (0, 1, 2)),
        Case("float32 dOut, X and W", tuple(rng.normal(size=s).astype(np.float32)
                                            for s in [(4, 2), (4, 3), (3, 2)]), (0, 1, 2)),
    ]
    return cases


def _affine_backward_with(dX=None, dW=None, db=None, order=("dX", "dW", "db")):
    def variant(dOut, X, W):
        dOut, X, W = _f(dOut), _f(X), _f(W)
        out = {"dX": dX(dOut, X, W) if dX else dOut @ W.T,
               "dW": dW(dOut, X, W) if dW else X.T @ dOut,
               "db": db(dOut, X, W) if db else dOut.sum(axis=0)}
        return tuple(out[k] for k in order)
    return variant


AFFINE_BACKWARD_MISTAKES = {
    N_("dW = dOut^T X, the transposed product (k x d): a gradient has its parameter's shape, "
       "(d, k)"):
        _affine_backward_with(dW=lambda dOut, X, W: dOut.T @ X),
    N_("dW = X^T * dOut, an entrywise product (*) where a matrix product (@) is meant"):
        _affine_backward_with(dW=lambda dOut, X, W: X.T * dOut),
    N_("an extra 1/m in dW: dOut is already the gradient of J, with whatever 1/m J holds"):
        _affine_backward_with(dW=lambda dOut, X, W: X.T @ dOut / len(dOut)),
    N_("db as the MEAN of dOut over the samples (an extra 1/m: dOut already holds it)"):
        _affine_backward_with(db=lambda dOut, X, W: dOut.mean(axis=0)),
    N_("db summed over axis 1 (the output units) instead of axis 0 (the samples)"):
        _affine_backward_with(db=lambda dOut, X, W: dOut.sum(axis=1)),
    N_("db = dOut itself, the (m, k) matrix, not summed over the samples"):
        _affine_backward_with(db=lambda dOut, X, W: dOut),
    N_("db with keepdims=True: shape (1, k) instead of b's shape (k,)"):
        _affine_backward_with(db=lambda dOut, X, W: dOut.sum(axis=0, keepdims=True)),
    N_("db = dOut.sum() with no axis: one number, where b has k entries"):
        _affine_backward_with(db=lambda dOut, X, W: dOut.sum()),
    N_("dX = dOut W without the transpose: dOut W^T is (m, k)(k, d)"):
        _affine_backward_with(dX=lambda dOut, X, W: dOut @ W),
    N_("the three gradients in the order (dW, db, dX): the layer returns (dX, dW, db)"):
        _affine_backward_with(order=("dW", "db", "dX")),
}


GRADED = [
    Graded("relu_forward", R.relu_forward, relu_forward_cases, RELU_FORWARD_MISTAKES),
    question("mask_of_Z1", MASK_OF_Z1, MASK_OF_Z1_MISTAKES),
    Graded("relu_mask", R.relu_mask, relu_mask_cases, RELU_MASK_MISTAKES),
    question("relu_jacobian", RELU_JACOBIAN, RELU_JACOBIAN_MISTAKES),
    Graded("relu_backward", R.relu_backward, relu_backward_cases, RELU_BACKWARD_MISTAKES),
    Graded("tanh_backward", R.tanh_backward, tanh_backward_cases, TANH_BACKWARD_MISTAKES),
    Graded("affine_forward", R.affine_forward, affine_forward_cases, AFFINE_FORWARD_MISTAKES),
    question("affine_by_hand", AFFINE_BY_HAND, AFFINE_BY_HAND_MISTAKES),
    question("dW_product", DW_PRODUCT, DW_PRODUCT_MISTAKES),
    Graded("affine_backward", R.affine_backward, affine_backward_cases, AFFINE_BACKWARD_MISTAKES),
    question("backprop_cost", _cost(), BACKPROP_COST_MISTAKES),
    Graded("column_shapes", column_shapes_reference, column_shapes_cases, COLUMN_SHAPES_MISTAKES,
           compare=column_shapes_compare),
]
