"""05_backprop: the network composed from its layers (forward, loss, backward), a step of the
chain rule by hand (dZ1_by_hand), the sources' slips (dW2_from, db1_from, source_verdicts), what
backprop costs (op_counts), numerical gradients (numerical_gradient) and the ReLU's kinks
(kink_units).

forward, loss and backward call the layers of 01-04 (the student's own, through course.mine);
their failures are named as such (`uses`), and the grading gives them the instructor's layers.
"""
import numpy as np

from course import calls
from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, fail, register
from .question import Question

# ------------------------------------------------------------------ the worked example network
# m = 5 samples, n = 2 features, H = 4 hidden units, K = 3 classes: four different sizes, so a
# product in the wrong order or a division by the wrong count cannot go unnoticed. Integer
# weights make four pre-activations exactly 0 (Z1[0, 1], Z1[0, 2], Z1[2, 0], Z1[2, 1]): ties.
X_EX = np.array([[1.0, 2.0], [-1.0, 1.0], [0.0, 1.0], [2.0, -1.0], [1.0, 0.0]])
Y_EX = np.array([0, 1, 2, 0, 2])
PARAMS_EX = {
    "W1": np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 1.0, 1.0, -1.0]]),
    "b1": np.array([0.0, -1.0, -2.0, 0.5]),
    "W2": np.array([[1.0, -1.0, 0.0], [2.0, 0.0, -1.0], [-1.0, 1.0, 0.5], [0.0, 1.0, -2.0]]),
    "b2": np.array([0.0, 0.5, -0.5]),
}
NET_EX_LAM0 = N_("the 2-4-3 network on 5 samples (four exact zeros in Z1), lam = 0")
NET_EX_LAM2 = N_("the 2-4-3 network on 5 samples (four exact zeros in Z1), lam = 2")
NAMES = ("W1", "b1", "W2", "b2")
NET_EX = N_("the 2-4-3 network on 5 samples (four exact zeros in Z1)")


def _cache_of(params, X):
    """The cache of the worked example (for backward's examples), computed here once."""
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = A1 @ params["W2"] + params["b2"]
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "P": E / E.sum(axis=1, keepdims=True)}


CACHE_EX = _cache_of(PARAMS_EX, X_EX)
# n = H = 3 (as on USPS, where n = H = 256): a formula that confuses the two still has a shape.
X_SQ = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -1.0], [-1.5, 0.5, 1.0], [2.0, 1.0, 0.0]])
Y_SQ = np.array([1, 0, 1, 0])
PARAMS_SQ = {"W1": np.array([[0.5, -1.0, 1.0], [1.0, 0.5, -0.5], [-0.5, 1.0, 0.5]]),
             "b1": np.array([0.1, 0.2, -0.3]), "W2": np.array([[1.0, -0.5], [-1.0, 0.5],
                                                               [0.5, 1.0]]),
             "b2": np.array([0.2, -0.2])}


def _copy(d):
    return {k: np.array(v, copy=True) for k, v in d.items()}


def _random_net(rng, n, H, K, scale=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale, "b1": rng.normal(size=H) * 0.3,
            "W2": rng.normal(size=(H, K)) * scale, "b2": rng.normal(size=K) * 0.3}


def _scalar(value, what):
    if value is None:
        fail(_("{what} is None: did you forget to `return` it?").format(what=what))
    arr = as_array(value, what)
    if arr.shape != ():
        if arr.size == 1:
            fail(_("{what} should be a single number, got an array of shape {shape} "
                   "(`float(...)` turns a one-entry array into a number)").format(
                what=what, shape=arr.shape))
        fail(_("{what} should be a single number, got an array of shape {shape}").format(
            what=what, shape=arr.shape))
    return float(arr)


def _left_alone(before, after, what):
    for k in before:
        if not np.array_equal(before[k], after[k]):
            fail(_("your function changed {what}[{key}] in place; the caller still needs "
                   "it").format(what=what, key=repr(k)))


# ---------------------------------------------------------------------------------- forward
def _unpack_forward(result, what):
    if result is None:
        fail(_("{what} returned None: return the pair (P, cache)").format(what=what))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        if isinstance(result, (tuple, list)):
            fail(_("{what} should return the pair (P, cache), got {kind} of length "
                   "{length}").format(what=what, kind=type(result).__name__,
                                      length=len(result)))
        fail(_("{what} should return the pair (P, cache), got {kind}").format(
            what=what, kind=type(result).__name__))
    P, cache = result
    if not isinstance(cache, dict):
        fail(_("the cache should be a dict with the keys Z1, A1, Z2, P; got {kind}").format(
            kind=type(cache).__name__))
    missing = [k for k in ("Z1", "A1", "Z2", "P") if k not in cache]
    if missing:
        fail(_("your cache is missing the keys {missing}: backward needs Z1, A1, Z2 and P "
               "(the course's names: Z1 the hidden pre-activation, Z2 the logits)").format(
            missing=missing))
    return P, cache


def _forward_shapes(forward):
    rng = np.random.default_rng(6)
    params = _random_net(rng, 5, 4, 3)
    params["W2"] *= 300  # logits in the hundreds
    kept, X = _copy(params), rng.normal(size=(7, 5)) * 3
    P, cache = _unpack_forward(forward(params, X), "forward(params, X)")
    _left_alone(kept, params, "params")
    for k, shape in {"Z1": (7, 4), "A1": (7, 4), "Z2": (7, 3), "P": (7, 3)}.items():
        got = as_array(cache[k], f"cache[{k!r}]")
        if got.shape == shape[::-1]:
            fail(_("cache[{key}] has shape {shape}, the transpose of {expected}: samples are "
                   "rows (m = 7, n = 5, H = 4, K = 3)").format(key=repr(k), shape=got.shape,
                                                                expected=shape))
        as_array(got, _("cache[{key}] for m = 7, n = 5, H = 4, K = 3").format(key=repr(k)),
                 shape)
    P = as_array(P, "P", (7, 3))
    if not np.all(np.isfinite(P)):
        fail(_("logits in the hundreds give nan or inf in P: is your softmax the stable one "
               "from 01?"))
    if not np.allclose(P.sum(axis=1), 1):
        fail(_("the rows of P do not sum to 1"))
    return N_("shapes for m = 7, n = 5, H = 4, K = 3; logits in the hundreds; params "
              "unchanged")


forward = Exercise(
    name="forward",
    signature="forward(params, X) -> (P, cache), cache = {'Z1', 'A1', 'Z2', 'P'}",
    examples=[Example(NET_EX, (PARAMS_EX, X_EX)),
              Example(N_("one integer sample X = [[1, 2]]"), (PARAMS_EX, np.array([[1, 2]])))],
    checks=[Check(N_("shapes and large logits"), _forward_shapes)],
    uses=("affine_forward", "relu_forward", "softmax"),
    hints=[
        N_("Follow the graph from left to right: one node, one line. Each line calls a function "
           "you already wrote in 01 or 03."),
        N_("Each affine node takes the previous node's output and its own layer's parameters "
           "from the dict `params`. The ReLU sits only between the two affine nodes; the second "
           "affine node's input is the ReLU's output."),
        N_("The cache is a dict of the four arrays the graph computes, under the names the graph "
           "gives them; return it with P as a pair."),
    ],
)


# ------------------------------------------------------------------------------------- loss
def _loss_edges(loss):
    zero = {"W1": np.zeros((2, 4)), "b1": np.zeros(4), "W2": np.zeros((4, 3)),
            "b2": np.zeros(3)}
    for lam in (0.0, 3.0):
        got = _scalar(loss(_copy(zero), X_EX.copy(), Y_EX.copy(), lam),
                      _("loss with all-zero parameters, lam = {lam}").format(lam=lam))
        if not np.isclose(got, np.log(3)):
            fail(_("with all-zero parameters (lam = {lam}) P is uniform and J = ln K = ln 3 = "
                   "{ln3}; yours is {got}").format(lam=lam, ln3=f"{np.log(3):.6g}",
                                                   got=f"{got:.6g}"))
    params, X, y = _copy(PARAMS_EX), X_EX.copy(), Y_EX.copy()
    loss(params, X, y, 1.0)
    _left_alone(PARAMS_EX, params, "params")
    if not np.array_equal(X, X_EX) or not np.array_equal(y, Y_EX):
        fail(_("your function changed X or y in place"))
    return N_("ln K for zero weights, whatever lam; inputs unchanged")


loss = Exercise(
    name="loss",
    signature="loss(params, X, y, lam) -> J, a number",
    examples=[Example(NET_EX_LAM0, (PARAMS_EX, X_EX, Y_EX, 0.0)),
              Example(NET_EX_LAM2, (PARAMS_EX, X_EX, Y_EX, 2.0)),
              Example(N_("one integer sample [[1, 2]] of class 0, lam = 1"),
                      (PARAMS_EX, np.array([[1, 2]]), np.array([0]), 1.0))],
    checks=[Check(N_("zero weights"), _loss_edges)],
    uses=("forward", "l2_penalty"),
    hints=[
        N_("J has two parts: the data term (02) on the P your forward returns, and the penalty "
           "(04). The penalty needs m, the number of samples in X."),
        N_("The data term picks, in each row of P, the probability of that row's label, and "
           "averages -log of them: one fancy-indexing expression (02), not a loop."),
        N_("Return one Python float: the data term plus your l2_penalty(params, lam, m)."),
    ],
)


# ---------------------------------------------------------------------------- dZ1_by_hand
#: The hand computation: one sample, H = 4, K = 2.
HAND = {"dZ2": np.array([[0.5, -0.5]]),
        "W2": np.array([[2.0, -1.0], [1.0, 3.0], [-2.0, 0.0], [3.0, 1.0]]),
        "Z1": np.array([[1.5, 0.0, 0.5, -1.0]])}


def _dict_of(value, name, keys):
    if not isinstance(value, dict):
        fail(_("{name} should be a dict with the keys {keys}, got {kind}").format(
            name=name, keys=list(keys), kind=type(value).__name__))
    missing = [k for k in keys if k not in value]
    if missing:
        fail(_("{name} is missing the keys {missing}").format(name=name, missing=missing))
    return value


def _hand_format(dZ1_by_hand):
    d = _dict_of(dZ1_by_hand(), "dZ1_by_hand", ("dA1", "dZ1"))
    for k in ("dA1", "dZ1"):
        got = as_array(d[k], f"dZ1_by_hand[{k!r}]")
        if got.shape == (4, 1) or got.shape == (4,):
            fail(_("dZ1_by_hand[{key}] has shape {shape}: a gradient has the shape of its "
                   "value, here (m, H) = (1, 4), one row for the one sample").format(
                key=repr(k), shape=got.shape))
        as_array(got, f"dZ1_by_hand[{k!r}]", (1, 4))
    dA1, dZ1, Z1 = np.asarray(d["dA1"], float), np.asarray(d["dZ1"], float), HAND["Z1"]
    if dZ1[0, 1] != 0:
        fail(_("Z1[0, 1] is exactly 0, so that unit passes no gradient: the mask is "
               "[Z1 > 0], strictly (ReLU'(0) is taken as 0)"))
    if np.any(dZ1[Z1 < 0] != 0):
        fail(_("where Z1 < 0 the ReLU is flat: dZ1 is 0 there, whatever dA1 is"))
    if not np.allclose(dZ1[Z1 > 0], dA1[Z1 > 0]):
        if np.allclose(dZ1[Z1 > 0], (dA1 * Z1)[Z1 > 0]):
            fail(_("you multiplied dA1 by Z1 (or by A1 = ReLU(Z1)): the ReLU's derivative is "
                   "the mask [Z1 > 0], 1 or 0, not the activation itself"))
        fail(_("where Z1 > 0 the ReLU is the identity: dZ1 equals dA1 there"))
    return N_("shapes (1, 4), and dZ1 consistent with your dA1 and the mask")


dZ1_by_hand = Question(
    name="dZ1_by_hand",
    signature="dZ1_by_hand() -> {'dA1': (1, 4) array, 'dZ1': (1, 4) array}",
    checks=[Check(N_("shapes and the mask"), _hand_format)],
    hints=[
        N_("dA1 is the gradient at the ReLU's output, A1. A1 enters J only through Z2 = A1 W2 + "
           "b2, so dA1 collects dZ2 through W2: entry j of dA1 is a dot product of dZ2's row with "
           "row j of W2 (the weights leaving hidden unit j)."),
        N_("Check the shapes: dZ2 is (1, K) = (1, 2) and dA1 must be (1, H) = (1, 4). Which of W2 "
           "or its transpose turns a (1, 2) row into a (1, 4) row?"),
        N_("dZ1 then goes through the ReLU node: each entry of dA1 either passes unchanged or is "
           "stopped, depending only on the sign of the same entry of Z1 (0 counts as stopped)."),
    ],
)


# --------------------------------------------------------------------------------- backward
def _backward_edges(backward):
    rng = np.random.default_rng(11)
    params = _random_net(rng, 6, 5, 3)
    X, y = rng.normal(size=(9, 6)), rng.integers(0, 3, size=9)
    cache = _cache_of(params, X)
    kept_p, kept_c, kept_X = _copy(params), _copy(cache), X.copy()
    g = backward(params, cache, X, y, 0.5)
    if g is None:
        fail(_("backward returned None: return the dict of gradients"))
    if not isinstance(g, dict):
        fail(_("backward should return a dict with the keys W1, b1, W2, b2, got "
               "{kind}").format(kind=type(g).__name__))
    for k in NAMES:
        if k not in g:
            fail(_("your dict of gradients is missing the key {key}").format(key=repr(k)))
        got = as_array(g[k], _("your gradient [{key}]").format(key=repr(k)))
        shape = params[k].shape
        if got.shape == shape[::-1] and got.shape != shape:
            fail(_("your gradient [{key}] has shape {shape}, but {name} has shape {expected} "
                   "(n = 6, H = 5, K = 3): a gradient always has its parameter's shape (the "
                   "transpose: a product the wrong way round?)").format(
                key=repr(k), shape=got.shape, name=k, expected=shape))
        if got.shape != shape:
            fail(_("your gradient [{key}] has shape {shape}, but {name} has shape {expected} "
                   "(n = 6, H = 5, K = 3): a gradient always has its parameter's shape").format(
                key=repr(k), shape=got.shape, name=k, expected=shape))
    _left_alone(kept_p, params, "params")
    _left_alone(kept_c, cache, "cache")
    if not np.array_equal(X, kept_X):
        fail(_("your function changed X in place"))
    return N_("shapes for n = 6, H = 5, K = 3, m = 9; params, cache and X unchanged")


backward = Exercise(
    name="backward",
    signature="backward(params, cache, X, y, lam) -> {'W1', 'b1', 'W2', 'b2'} (and "
              "optionally 'X': dX)",
    examples=[Example(N_("a 3-3-2 network on 4 samples (n = H = 3, as on USPS), lam = 0.5"),
                      (PARAMS_SQ, _cache_of(PARAMS_SQ, X_SQ), X_SQ, Y_SQ, 0.5)),
              Example(NET_EX_LAM0, (PARAMS_EX, CACHE_EX, X_EX, Y_EX, 0.0)),
              Example(NET_EX_LAM2, (PARAMS_EX, CACHE_EX, X_EX, Y_EX, 2.0)),
              Example(N_("the first sample alone (m = 1, two exact zeros in Z1), lam = 1"),
                      (PARAMS_EX, _cache_of(PARAMS_EX, X_EX[:1]), X_EX[:1], Y_EX[:1], 1.0))],
    checks=[Check(N_("shapes and inputs"), _backward_edges)],
    uses=("softmax_cross_entropy_backward", "affine_backward", "relu_backward", "l2_grad"),
    hints=[
        N_("Walk the graph from J back to X, one node per line, each node's backward step being "
           "a function you wrote in 02 or 03. Each step needs the gradient arriving from its "
           "right and what the forward pass cached at that node."),
        N_("The affine node's backward takes the node's INPUT (what was multiplied by its "
           "weights) and its weights: for the output layer that input is A1, for the hidden "
           "layer it is X. The ReLU node's backward needs the pre-activation it was applied to."),
        N_("The layers give the data term's gradients only. The penalty is a second path from "
           "W1 and W2 to J (the rail at the top of the graph): add its gradient (04) to the two "
           "weights' gradients, not to the biases'."),
    ],
)


# -------------------------------------------------------------- the source's slips: dW2, db1
E_EX = CACHE_EX["P"] - np.eye(3)[Y_EX]  # P - Y, no 1/m
G_EX = (E_EX @ PARAMS_EX["W2"].T) * (CACHE_EX["Z1"] > 0)  # source 000's (Y_hat - Y) W2^T * 1*

dW2_from = Exercise(
    name="dW2_from",
    signature="dW2_from(E, A1) -> dJ/dW2 without the penalty, shape (H, K)",
    examples=[Example(N_("E = P - Y and A1 of the 2-4-3 network (m = 5, H = 4, K = 3)"),
                      (E_EX, CACHE_EX["A1"]))],
    hints=[
        N_("Write down the shapes first: E is (m, K), A1 is (m, H), and the answer must be "
           "(H, K), the shape of W2. Only one product of the two (one of them transposed) has "
           "that shape."),
        N_("That product sums over the samples (the index they share). E has no 1/m in it yet, "
           "and J is a mean over the m samples."),
    ],
)

db1_from = Exercise(
    name="db1_from",
    signature="db1_from(G, X) -> dJ/db1, shape (H,)",
    examples=[Example(N_("G of the 2-4-3 network (m = 5, H = 4) and its X (n = 2)"),
                      (G_EX, X_EX))],
    hints=[
        N_("b1 is added to every row of Z1, so its gradient collects a contribution from every "
           "sample: which axis of G (m, H) runs over the samples?"),
        N_("G has no 1/m in it, and J averages over the samples. How many samples are there, and "
           "which of G and X tells you? (n is the number of features: it has nothing to do with "
           "the average.)"),
    ],
)


# ------------------------------------------------------------------------- source_verdicts
VERDICT_KEYS = ("dW1_shape_check", "dW1_gradient_check", "db2_shape_check")


def _verdict_format(source_verdicts):
    d = _dict_of(source_verdicts(), "source_verdicts", VERDICT_KEYS)
    for k in VERDICT_KEYS:
        if not isinstance(d[k], (bool, np.bool_)):
            fail(_("source_verdicts[{key}] should be True (the check passes) or False (it "
                   "fails), got {value}").format(key=repr(k), value=repr(d[k])))
    return N_("three answers, each True or False")


source_verdicts = Question(
    name="source_verdicts",
    signature="source_verdicts() -> {'dW1_shape_check': bool, 'dW1_gradient_check': bool, "
              "'db2_shape_check': bool}",
    checks=[Check(N_("three True/False answers"), _verdict_format)],
    hints=[
        N_("Run the cell above it and read what it prints: each line says what one check found. "
           "A shape check passes when the array has its parameter's shape; the gradient check "
           "passes when the report's last column says ok."),
        N_("For dW1 the two checks disagree: that is the point of the exercise. A matrix can "
           "have the right shape (256, 256) and the wrong numbers, when n = H."),
    ],
)


# ------------------------------------------------------------------------------- op_counts
OP_KEYS = ("forward", "backward", "finite_differences")


def _ops_format(op_counts):
    d = _dict_of(op_counts(), "op_counts", OP_KEYS)
    for k in OP_KEYS:
        got = as_array(d[k], f"op_counts[{k!r}]")
        if got.shape != ():
            fail(_("op_counts[{key}] should be one number, got an array of shape "
                   "{shape}").format(key=repr(k), shape=got.shape))
        if not np.isfinite(got) or got <= 0 or got != np.round(got):
            fail(_("op_counts[{key}] = {value}: a count of multiply-adds is a positive whole "
                   "number").format(key=repr(k), value=f"{float(got):g}"))
    return N_("three positive whole numbers")


op_counts = Question(
    name="op_counts",
    signature="op_counts() -> {'forward': int, 'backward': int, 'finite_differences': int}",
    checks=[Check(N_("three counts"), _ops_format)],
    hints=[
        N_("A product of an (a, b) matrix by a (b, c) matrix costs a·b·c multiply-adds; for one "
           "sample (m = 1) the forward pass has two such products. Biases, the ReLU and the "
           "softmax cost next to nothing: leave them out."),
        N_("The backward pass (training needs no dX) has one product per weight gradient and one "
           "to carry the gradient from Z2 back to A1. Write each one's shapes down."),
        N_("Central differences evaluate J twice per parameter, and every parameter counts: the "
           "weights AND the biases. Each evaluation is one forward pass."),
    ],
)


# ----------------------------------------------------------------------- numerical_gradient
def _restores_x(numerical_gradient):
    x = np.random.default_rng(2).normal(size=(3, 4))
    before = x.copy()
    g = as_array(numerical_gradient(calls.f_coupled, x), "numerical_gradient(f, x)")
    if g.shape != x.shape:
        fail(_("the gradient has shape {shape}; it must have x's shape {expected}").format(
            shape=g.shape, expected=x.shape))
    if not np.array_equal(x, before):
        fail(_("x is not as it was after your function: restore each entry exactly (save "
               "old = x[i], then x[i] = old), rather than adding and subtracting h"))
    closure = as_array(calls.with_closure(numerical_gradient, (x,)),
                       "numerical_gradient(lambda _: f(x), x)")
    if np.allclose(closure, 0):
        fail(_("for an f that ignores its argument and reads x from outside (as lambda _: "
               "loss(params, X, y, lam) reads params['W1']), you get 0: perturb x itself, in "
               "place, not a copy of it"))
    if not np.allclose(closure, g, rtol=1e-6, atol=1e-9):
        fail(_("an f that reads x from outside gives another gradient than f(x): perturb x "
               "itself, one entry at a time, and restore it"))
    coarse = as_array(numerical_gradient(calls.f_exp, np.array([0.3]), 0.5),
                      N_("with h = 0.5"))
    if np.allclose(coarse, numerical_gradient(calls.f_exp, np.array([0.3])), rtol=1e-6):
        fail(_("your function ignores its argument h: use the h it is given"))
    return N_("x restored exactly, an f that reads x from outside, the h given is used")


numerical_gradient = Exercise(
    name="numerical_gradient",
    signature="numerical_gradient(f, x, h=1e-5) -> array of x's shape",
    examples=[Example(N_("f(x) = sum(sin(x) x^2) at x = [0.5, -1, 2]"),
                      (calls.f_sin, np.array([0.5, -1.0, 2.0]))),
              Example(N_("a function coupling the entries, at x = [[0.1, -0.4], [0.7, 0.2]]"),
                      (calls.f_coupled, np.array([[0.1, -0.4], [0.7, 0.2]]))),
              Example(N_("the same function at x = [0.3, -0.2, 0.5] with a coarse h = 0.5"),
                      (calls.f_coupled, np.array([0.3, -0.2, 0.5]), 0.5))],
    checks=[Check(N_("x in place and restored"), _restores_x)],
    forbids=("course.gradcheck.numerical_gradient",),
    hints=[
        N_("One entry at a time: move it up by h, evaluate f, move it down by h, evaluate f, put "
           "it back. The two values give that entry's slope."),
        N_("`np.ndindex(x.shape)` visits every index of an array of any shape. Keep the old value "
           "in a variable and assign it back: x[i] + h - h is not always x[i] in floating point."),
        N_("The slope between x - h and x + h is a difference of the two values divided by the "
           "distance between the two points."),
    ],
)


# ------------------------------------------------------------------------------ kink_units
def _kink_format(kink_units):
    Z1 = np.array([[0.5, 0.0, -1.0], [2.0, -3.0, 4e-6], [-1.0, 1.0, 2.0]])
    got = as_array(kink_units(Z1.copy()), N_("kink_units(Z1) for a (3, 3) Z1"))
    if got.ndim != 1:
        fail(_("kink_units should return a flat array of unit indices, got shape "
               "{shape}").format(shape=got.shape))
    if got.size and (np.any(got != np.round(got)) or np.any(got < 0) or np.any(got > 2)):
        fail(_("kink_units returns indices of hidden units (columns of Z1): whole numbers "
               "from 0 to H - 1"))
    if np.any(np.diff(got) <= 0):
        fail(_("list each index once, in increasing order (np.flatnonzero gives them so)"))
    return N_("indices of hidden units, in increasing order")


kink_units = Exercise(
    name="kink_units",
    signature="kink_units(Z1, h=1e-5) -> indices j of b1 whose ±h step crosses a kink",
    examples=[Example(N_("Z1 = [[1, 0, -2], [0, 3, 0]] (ties at 0)"),
                      (np.array([[1.0, 0.0, -2.0], [0.0, 3.0, 0.0]]),)),
              Example(N_("Z1 = [[5e-6, -1], [2, -2e-5]] with h = 1e-5"),
                      (np.array([[5e-6, -1.0], [2.0, -2e-5]]), 1e-5))],
    checks=[Check(N_("a list of unit indices"), _kink_format)],
    hints=[
        N_("Moving b1[j] by ±h moves the whole column j of Z1 (every sample's unit j) by ±h, "
           "and nothing else of Z1."),
        N_("An entry crosses the kink when its sign pattern, [entry > 0], differs between the "
           "+h step and the -h step. That happens for entries close to 0, not only at 0 exactly."),
        N_("Find the entries that cross, then the columns holding at least one of them; "
           "np.flatnonzero turns a boolean per column into the list of indices."),
    ],
)

register(forward, loss, dZ1_by_hand, backward, dW2_from, db1_from, source_verdicts, op_counts,
         numerical_gradient, kink_units)
