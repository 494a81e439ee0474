"""03_relu_mask, the layers: the ReLU and the affine layer, forward and backward, one function
each (relu_forward, relu_mask, relu_backward, affine_forward, affine_backward), a second
activation whose derivative the notebook never gives (tanh_backward), the questions that build
them (mask_of_Z1, relu_jacobian, affine_by_hand, dW_product, backprop_cost: answers returned by
a function of no arguments) and source 003's shape slip (column_shapes).

Every layer's backward takes the upstream gradient, the gradient of J with respect to the
layer's output, and returns the gradients with respect to its inputs, each of its input's shape.
"""
import numpy as np

from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, fail, register, unchanged
from .question import Question

# ------------------------------------------------------------------------- worked examples
#: Pre-activations with ties at 0 (0.0 and -0.0) and entries a hair either side of it.
Z_EX = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 0.0, -0.0, -1e-12, 1e-12]])
Z_LABEL = "Z = [[-2, -0.5, 0, 0.5, 3], [1, 0, -0, -1e-12, 1e-12]]"


def _lit(a):
    """An array as a short literal, e.g. [[1, -0.5], [0, 2]]."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{float(a):g}"
    return "[" + ", ".join(_lit(v) for v in a) + "]"


#: An upstream gradient for Z_EX.
DA_EX = np.array([[0.3, -0.2, 0.5, -0.4, 0.1], [-0.6, 0.7, 0.2, 0.9, -0.8]])
#: The mask question: m = 2 samples, H = 4 hidden units, two ties.
Z1_BY_HAND = np.array([[2.0, -1.0, 0.0, 0.5], [-0.5, 0.0, 3.0, -2.0]])
#: The Jacobian question: one sample's pre-activations (H = 4).
Z_JACOBIAN = np.array([-1.0, 2.0, 0.0, 0.5])
#: The backward-by-hand question: m = 2, d = 2 inputs, k = 1 output unit.
X_BY_HAND = np.array([[1.0, 2.0], [3.0, -1.0]])
W_BY_HAND = np.array([[2.0], [-1.0]])
DOUT_BY_HAND = np.array([[1.0], [-2.0]])
#: The affine layer's worked example: m = 2, d = 3, k = 2, all sizes but m different.
X_EX = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])
W_EX = np.array([[1.0, -1.0], [0.0, 2.0], [3.0, 1.0]])
B_EX = np.array([0.5, -1.0])
DOUT_EX = np.array([[0.1, -0.1], [-0.3, 0.3]])
#: m = d = k = 3: a square case, where a missing transpose or an entrywise product still gives
#: an answer of the right shape.
X_SQ = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [2.0, 0.0, 1.0]])
W_SQ = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 1.0]])
B_SQ = np.array([0.0, 1.0, -1.0])
DOUT_SQ = np.array([[0.5, -1.0, 0.0], [1.0, 0.5, -0.5], [0.0, 1.0, 1.0]])
#: The cost question's network and batch.
COST_SIZES = dict(m=64, n=256, H=256, K=10)


def _same_shape(fn, args, what, shape):
    got = as_array(unchanged(fn, *args), what)
    if got.shape != tuple(shape):
        fail(_("{what} has shape {shape}; it works entry by entry, so it keeps the shape "
               "{expected} of its input").format(what=_(what), shape=got.shape,
                                                  expected=tuple(shape)))
    return got


# --------------------------------------------------------------------------- relu_forward
def _relu_inputs(relu_forward):
    Z = np.random.default_rng(7).normal(size=(4, 6))
    _same_shape(relu_forward, (Z,), N_("relu_forward(Z) for Z of shape (4, 6)"), Z.shape)
    _same_shape(relu_forward, (np.array([[-3, 0, 2]]),), N_("relu_forward of an integer array"),
                (1, 3))
    _same_shape(relu_forward, (np.array([-1.5, 2.5]),), N_("relu_forward of a 1-D array"), (2,))
    return N_("any shape, integer input, input left unchanged")


relu_forward = Exercise(
    name="relu_forward",
    signature="relu_forward(Z) -> A = ReLU(Z), entry by entry, Z's shape",
    examples=[Example(Z_LABEL, (Z_EX,))],
    checks=[Check(N_("shapes and inputs"), _relu_inputs)],
    hints=[
        N_("Each entry z becomes max(z, 0): negative entries become 0, the others stay as they "
           "are. The result has the shape of Z."),
        N_("numpy has two functions with similar names: one is the largest entry along an axis, "
           "the other compares two arrays entry by entry. You want the second, comparing Z "
           "with 0."),
        N_("Writing `Z[Z < 0] = 0` changes the caller's array: compute a new one."),
    ],
)


# ------------------------------------------------------------------------------ mask_of_Z1
mask_of_Z1 = Question(
    name="mask_of_Z1",
    signature="mask_of_Z1() -> the mask [Z1 > 0] of the notebook's Z1, a (2, 4) array",
    hints=[
        N_("Go entry by entry: 1 where the pre-activation is strictly positive, 0 elsewhere. "
           "The mask has Z1's shape, one row per sample."),
        N_("Two entries of Z1 are exactly 0. The ReLU's slope there is a choice, and the "
           "notebook says which one the course makes."),
    ],
)


# ------------------------------------------------------------------------------- relu_mask
def _mask_numbers(relu_mask):
    M = unchanged(relu_mask, Z_EX.copy())
    if np.asarray(M).dtype == bool:
        fail(_("your mask is an array of booleans (True/False): return numbers, 1.0 and 0.0 "
               "(`.astype(float)`). The mask is the ReLU's slope, and slopes are numbers: with "
               "booleans, M + M is True (a logical or, not 2) and -M raises an error"))
    return N_("numbers, not booleans")


def _mask_inputs(relu_mask):
    Z = np.random.default_rng(8).integers(-2, 3, size=(5, 4))
    _same_shape(relu_mask, (Z,), N_("relu_mask of an integer Z of shape (5, 4) with zeros"),
                Z.shape)
    _same_shape(relu_mask, (np.array([0.0, 0.25, -0.25], dtype=np.float32),),
                N_("relu_mask of a 1-D float32 array"), (3,))
    return N_("integer, float32 and 1-D input, input left unchanged")


relu_mask = Exercise(
    name="relu_mask",
    signature="relu_mask(Z) -> M = [Z > 0] as floats (1.0 / 0.0), Z's shape",
    examples=[Example(Z_LABEL, (Z_EX,))],
    checks=[Check(N_("numbers, not booleans"), _mask_numbers),
            Check(N_("shapes and inputs"), _mask_inputs)],
    hints=[
        N_("It is your mask_of_Z1 for any Z: the slope of max(z, 0) at each entry."),
        N_("A comparison of an array with a number gives an array of booleans of the same "
           "shape; asked for floats, convert it."),
        N_("Which comparison: strictly greater, or greater or equal? Look at what the course "
           "decided for a tie at exactly 0."),
    ],
)


# ---------------------------------------------------------------------------- relu_jacobian
relu_jacobian = Question(
    name="relu_jacobian",
    signature="relu_jacobian() -> the (4, 4) Jacobian da/dz of a = ReLU(z) at the "
              "notebook's z",
    hints=[
        N_("Entry (j, k) is the slope of a_j when z_k alone moves. Start with an entry off the "
           "diagonal, j ≠ k: does a_j change at all when z_k moves?"),
        N_("On the diagonal, the slope of a_j with respect to its own z_j is the ReLU's slope "
           "at z_j: what your mask gives."),
        N_("The answer is a 4 × 4 array (np.diag builds a square matrix from its diagonal)."),
    ],
)


# ---------------------------------------------------------------------------- relu_backward
def _backward_inputs(relu_backward):
    rng = np.random.default_rng(9)
    Z, dA = rng.integers(-2, 3, size=(4, 5)) / 2.0, rng.normal(size=(4, 5))
    _same_shape(relu_backward, (dA, Z), N_("relu_backward(dA, Z) for (4, 5) arrays"), Z.shape)
    _same_shape(relu_backward, (dA[0], Z[0]), N_("relu_backward of 1-D arrays"), (5,))
    return N_("any shape, inputs left unchanged")


relu_backward = Exercise(
    name="relu_backward",
    signature="relu_backward(dA, Z) -> dZ, Z's shape, for A = ReLU(Z) and dA = dJ/dA",
    examples=[Example(f"dA = {_lit(DOUT_SQ)}, Z = {_lit(X_SQ - 0.5)}", (DOUT_SQ, X_SQ - 0.5)),
              Example(f"dA = {_lit(DA_EX)}, {Z_LABEL}", (DA_EX, Z_EX))],
    checks=[Check(N_("shapes and inputs"), _backward_inputs)],
    uses=("relu_mask",),
    hints=[
        N_("Your relu_jacobian is the whole story for one sample: write the chain rule for one "
           "entry, dJ/dz_k = sum over j of dJ/da_j times da_j/dz_k, and see how many terms of "
           "the sum are not zero."),
        N_("With a single term left per entry, the chain rule multiplies two arrays of the same "
           "shape entry by entry: which two? (A matrix product would mix the units.)"),
        N_("The mask comes from the forward pass's Z, not from dA: it records which units were "
           "active."),
    ],
)


# ---------------------------------------------------------------------------- tanh_backward
def _tanh_inputs(tanh_backward):
    rng = np.random.default_rng(10)
    Z, dA = rng.normal(size=(3, 4)) * 2, rng.normal(size=(3, 4))
    _same_shape(tanh_backward, (dA, Z), N_("tanh_backward(dA, Z) for (3, 4) arrays"), Z.shape)
    got = as_array(tanh_backward(np.ones((1, 2)), np.array([[-400.0, 400.0]])),
                   N_("tanh_backward at Z = -400 and 400"))
    if not np.all(np.isfinite(got)):
        fail(_("tanh_backward(1, Z) is not finite at Z = -400 or 400, where tanh is flat and "
               "its slope is 0: exp(z) overflows for large |z|, np.tanh and np.cosh do not"))
    return N_("any shape, saturated units, inputs left unchanged")


tanh_backward = Exercise(
    name="tanh_backward",
    signature="tanh_backward(dA, Z) -> dZ, Z's shape, for A = tanh(Z) and dA = dJ/dA",
    examples=[Example("dA = [[1, 1, 1, 2]], Z = [[0, 0.5, -1, 2]]",
                      (np.array([[1.0, 1.0, 1.0, 2.0]]), np.array([[0.0, 0.5, -1.0, 2.0]])))],
    checks=[Check(N_("shapes and inputs"), _tanh_inputs)],
    hints=[
        N_("tanh acts entry by entry, like the ReLU: the backward has the same structure as "
           "relu_backward, only the local slope changes. You need the derivative of tanh."),
        N_("tanh(z) = sinh(z) / cosh(z), with sinh' = cosh and cosh' = sinh. Differentiate the "
           "quotient, then use cosh² − sinh² = 1."),
        N_("The slope can be written with tanh(z) itself, the value the forward pass computed "
           "(np.tanh). Check it: the slope at z = 0 is 1, and it tends to 0 as |z| grows."),
    ],
)


# --------------------------------------------------------------------------- affine_forward
def _affine_inputs(affine_forward):
    rng = np.random.default_rng(11)
    X, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    got = as_array(unchanged(affine_forward, X, W, b),
                   N_("affine_forward for X (6, 4), W (4, 3)"))
    if got.shape != (6, 3):
        fail(_("affine_forward(X, W, b) for X (6, 4), W (4, 3), b (3,) has shape {shape}: "
               "one row per sample, one column per output unit, (6, 3)").format(shape=got.shape))
    got = as_array(affine_forward(X[:1], W, b), N_("affine_forward for one sample"))
    if got.shape != (1, 3):
        fail(_("for one sample, X of shape (1, 4), your result has shape {shape}, not "
               "(1, 3)").format(shape=got.shape))
    return N_("any sizes, m = 1, inputs left unchanged")


affine_forward = Exercise(
    name="affine_forward",
    signature="affine_forward(X, W, b) -> X W + b, for X (m, d), W (d, k), b (k,): (m, k)",
    examples=[Example(f"X = {_lit(X_SQ)}, W = {_lit(W_SQ)}, b = {_lit(B_SQ)}",
                      (X_SQ, W_SQ, B_SQ)),
              Example(f"X = {_lit(X_EX)}, W = {_lit(W_EX)}, b = {_lit(B_EX)}",
                      (X_EX, W_EX, B_EX))],
    checks=[Check(N_("shapes and inputs"), _affine_inputs)],
    hints=[
        N_("Row i of the result is sample i's outputs: its row of X times W, plus b."),
        N_("`@` is the matrix product, `*` the product entry by entry. b has shape (k,): numpy "
           "adds it to every row of an (m, k) array by itself (broadcasting)."),
    ],
)


# --------------------------------------------------------------------------- affine_by_hand
affine_by_hand = Question(
    name="affine_by_hand",
    signature='affine_by_hand() -> {"dX": (2, 2), "dW": (2, 1), "db": (1,)} for the '
              "notebook's example",
    hints=[
        N_("Write the two outputs out: Out[i, 0] = X[i, 0] W[0, 0] + X[i, 1] W[1, 0] + b[0] for "
           "i = 0, 1. Then J changes by dOut[i, 0] for each unit Out[i, 0] moves."),
        N_("W[0, 0] appears in both rows, with coefficients X[0, 0] and X[1, 0]: add up both "
           "contributions. b[0] appears in both rows with coefficient 1."),
        N_("Each gradient has the shape of what it is the gradient of: dW like W (2, 1), db "
           "like b (1,), dX like X (2, 2). X[i, j] appears only in row i."),
    ],
)


# ------------------------------------------------------------------------------- dW_product
dW_product = Question(
    name="dW_product",
    signature="dW_product() -> 1, 2, 3 or 4: the product of the shape of W2",
    hints=[
        N_("Write each factor's shape under it: A1 is (5, 4), dZ2 is (5, 3), and a transpose "
           "swaps the two numbers."),
        N_("(a, b) times (c, d) is defined only when b = c, and then it is (a, d). W2 is (4, "
           "3)."),
    ],
)


# -------------------------------------------------------------------------- affine_backward
def _backward_tuple(result, what):
    if result is None:
        fail(_("{what} returned None: did you forget to `return` the three gradients?").format(
            what=what))
    if not isinstance(result, (tuple, list)):
        fail(_("{what} should return a tuple of 3 arrays (dX, dW, db), got {kind}").format(
            what=what, kind=type(result).__name__))
    if len(result) != 3:
        fail(_("{what} should return a tuple of 3 arrays (dX, dW, db), got {kind} of length "
               "{length}").format(what=what, kind=type(result).__name__, length=len(result)))
    return result


def _affine_backward_inputs(affine_backward):
    rng = np.random.default_rng(12)
    m, d, k = 6, 4, 3
    dOut, X, W = rng.normal(size=(m, k)), rng.normal(size=(m, d)), rng.normal(size=(d, k))
    dX, dW, db = _backward_tuple(unchanged(affine_backward, dOut, X, W),
                                 "affine_backward(dOut, X, W)")
    for name, got, shape in (("dX", dX, (m, d)), ("dW", dW, (d, k)), ("db", db, (k,))):
        got = as_array(got, name)
        if got.shape != shape:
            fail(_("for dOut (6, 3), X (6, 4), W (4, 3): {name} has shape {shape}; it should "
                   "have the shape of {of}, {expected}").format(name=name, shape=got.shape,
                                                                 of=name[1:], expected=shape))
    return N_("any sizes, inputs left unchanged")


affine_backward = Exercise(
    name="affine_backward",
    signature="affine_backward(dOut, X, W) -> (dX, dW, db), for Out = X W + b and "
              "dOut = dJ/dOut (m, k)",
    examples=[Example(f"dOut = {_lit(DOUT_SQ)}, X = {_lit(X_SQ)}, W = {_lit(W_SQ)}",
                      (DOUT_SQ, X_SQ, W_SQ)),
              Example(f"dOut = {_lit(DOUT_EX)}, X = {_lit(X_EX)}, W = {_lit(W_EX)}",
                      (DOUT_EX, X_EX, W_EX))],
    checks=[Check(N_("shapes and inputs"), _affine_backward_inputs)],
    hints=[
        N_("Your affine_by_hand, for any sizes: each entry of Out is a sum over d terms; "
           "differentiate one entry of W, of b and of X at a time, summing over every entry of "
           "Out it appears in."),
        N_("Then turn each sum into an array operation, and let the shapes decide: dW must be "
           "(d, k) and is built from X (m, d) and dOut (m, k), as in dW_product."),
        N_("b was added to every row of X W, so each of its entries collects one number per "
           "sample: a sum over axis 0. dOut already holds whatever 1/m the loss has."),
    ],
)


# ---------------------------------------------------------------------------- backprop_cost
backprop_cost = Question(
    name="backprop_cost",
    signature='backprop_cost() -> {"forward", "backward", "numerical"}: multiply-adds for '
              "m = 64 and a 256-256-10 network",
    hints=[
        N_("List the matrix products of each pass with their shapes; (a, b) @ (b, c) costs "
           "a·b·c multiply-adds. The forward pass has two of them."),
        N_("The backward pass for the parameters: which products give dW2, dA1 and dW1? (dZ2, "
           "the ReLU and the sums for db cost no products; dX is not needed.)"),
        N_("A central difference evaluates J twice per parameter, and each evaluation is a "
           "whole forward pass. Count the parameters: weights and biases."),
    ],
)


# ---------------------------------------------------------------------------- column_shapes
SHAPE_KEYS = ("z", "h", "Theta", "delta1", "dJ_dz", "dJ_dU", "dJ_dW")


def _shapes_of(result, what):
    if not isinstance(result, dict):
        fail(_("{what} should be a dict from names to shapes, got {kind}").format(
            what=what, kind=type(result).__name__))
    missing = [k for k in SHAPE_KEYS if k not in result]
    if missing:
        fail(_("{what} is missing the keys {keys} (expected {expected})").format(
            what=what, keys=missing, expected=list(SHAPE_KEYS)))
    shapes = {}
    for k in SHAPE_KEYS:
        try:
            shapes[k] = tuple(int(v) for v in result[k])
        except (TypeError, ValueError):
            fail(_("{what}[{key}] should be a shape such as (3, 1), got {value}").format(
                what=what, key=repr(k), value=repr(result[k])))
    return shapes


def _shapes_any_sizes(column_shapes):
    for dims in [(5, 3, 2), (2, 9, 4)]:
        s = _shapes_of(column_shapes(*dims), f"column_shapes{dims}")
        if any(n not in (1, *dims) for k in SHAPE_KEYS for n in s[k]):
            fail(_("{what} holds sizes other than 1, Dx, Dh and Nc: did you write fixed "
                   "numbers instead of using the arguments?").format(
                what=f"column_shapes{dims}"))
    return N_("uses its arguments: other sizes work too")


column_shapes = Exercise(
    name="column_shapes",
    signature="column_shapes(Dx, Dh, Nc) -> dict from z, h, Theta, delta1, dJ_dz, dJ_dU, "
              "dJ_dW to shapes",
    examples=[Example("Dx = 256, Dh = 100, Nc = 10", (256, 100, 10))],
    checks=[Check(N_("any sizes"), _shapes_any_sizes)],
    hints=[
        N_("Go down the forward pass a line at a time and work out each shape from the lines "
           "before it, not from what the source writes: a (a × b) matrix times a (b × 1) column "
           "is (a × 1); a function applied entry by entry keeps the shape."),
        N_("The source writes the derivative of the number J with respect to a column of length "
           "n as a row (1 × n); with respect to a matrix, it has the matrix's shape."),
        N_("dJ/dz is a row, like δ1: multiply δ1 by the matrix that maps h to Θ and check the "
           "product is defined."),
    ],
)

register(relu_forward, mask_of_Z1, relu_mask, relu_jacobian, relu_backward, tanh_backward,
         affine_forward, affine_by_hand, dW_product, affine_backward, backprop_cost,
         column_shapes)
