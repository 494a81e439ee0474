"""04_l2_penalty: l2_penalty(params, lam, m), l2_grad(W, lam, m), regularised_grads(grads,
params, lam, m) and minibatch_lam(lam, batch_size, m), and the questions that build them
(penalty_slope, pixels_01_layer, decay_factor: answers returned by a function of no
arguments)."""
import numpy as np

from course.i18n import N_, _

from . import Check, Example, Exercise, as_array, expect_close, fail, register
from .question import Question

# A worked example, by hand: ||W1||_F^2 = 1 + 4 + 9 + 16 = 30, ||W2||_F^2 = 1 + 1 + 4 = 6, so with
# lam = 2 and m = 4 the penalty is 2/(2*4) * 36 = 9. The biases are large on purpose.
PARAMS_EXAMPLE = {
    "W1": np.array([[1.0, 2.0], [3.0, 4.0]]),
    "b1": np.array([5.0, 5.0]),
    "W2": np.array([[1.0, 0.0, -1.0], [2.0, 0.0, 0.0]]),
    "b2": np.array([10.0, 10.0, 10.0]),
}
W_EXAMPLE = np.array([[1.0, -2.0], [0.0, 3.0]])
#: The slope question: one weight, its term lam/(2m) w^2 of the penalty.
SLOPE_QUESTION = dict(w=3.0, lam=2.0, m=4)
#: The pixel question: a hidden layer for pixels in [-1, 1] (n = 3 pixels, H = 2 units).
W1_PIXELS = np.array([[1.0, -2.0], [0.5, 1.0], [-1.0, 0.0]])
B1_PIXELS = np.array([0.5, 0.0])
#: The weight-decay question: one gradient-descent step.
DECAY_QUESTION = dict(lr=0.1, lam=1.0, m=10)
#: Gradients and parameters for regularised_grads' worked example (lam = 1, m = 4).
GRADS_EXAMPLE = {"W1": np.array([[0.5, 0.0]]), "b1": np.array([0.25, -0.25]),
                 "W2": np.array([[1.0], [-1.0]]), "b2": np.array([0.5])}
PARAMS_REG_EXAMPLE = {"W1": np.array([[2.0, -2.0]]), "b1": np.array([4.0, 4.0]),
                      "W2": np.array([[1.0], [3.0]]), "b2": np.array([-8.0])}


def _copy_params(params):
    return {k: np.array(v, copy=True) for k, v in params.items()}


def _scalar(value, what):
    if value is None:
        fail(_("{what} is None: did you forget to `return` it?").format(what=_(what)))
    arr = as_array(value, what)
    if arr.shape != ():
        if arr.size == 1:
            fail(_("{what} should be a single number, got an array of shape {shape} "
                   "(`float(...)` turns a one-entry array into a number)").format(
                what=_(what), shape=arr.shape))
        fail(_("{what} should be a single number, got an array of shape {shape}").format(
            what=_(what), shape=arr.shape))
    return float(arr)


# ------------------------------------------------------------------------------- l2_penalty
def _penalty_scaling(l2_penalty):
    rng = np.random.default_rng(4)
    params = {"W1": rng.normal(size=(5, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 3)), "b2": rng.normal(size=3)}
    base = _scalar(l2_penalty(_copy_params(params), 1.0, 10), "l2_penalty(params, 1, 10)")
    zero = _scalar(l2_penalty(_copy_params(params), 0.0, 10), "l2_penalty(params, 0, 10)")
    if not np.isclose(zero, 0.0, atol=1e-12):
        fail(_("with lam = 0 the penalty should be 0, got {value}").format(value=f"{zero:.6g}"))
    triple = _scalar(l2_penalty(_copy_params(params), 3.0, 10), "l2_penalty(params, 3, 10)")
    if not np.isclose(triple, 3 * base, rtol=1e-6):
        fail(_("tripling lam should triple the penalty: {base} became {triple}").format(
            base=f"{base:.6g}", triple=f"{triple:.6g}"))
    half = _scalar(l2_penalty(_copy_params(params), 1.0, 20), "l2_penalty(params, 1, 20)")
    if not np.isclose(half, base / 2, rtol=1e-6):
        fail(_("doubling m should halve the penalty (its factor is lam/(2m)): {base} became "
               "{half}").format(base=f"{base:.6g}", half=f"{half:.6g}"))
    shifted = _copy_params(params)
    shifted["b1"] = shifted["b1"] + 100.0
    shifted["b2"] = shifted["b2"] - 100.0
    moved = _scalar(l2_penalty(shifted, 1.0, 10), N_("l2_penalty with other biases"))
    if not np.isclose(moved, base, rtol=1e-6):
        fail(_("changing only the biases changed your penalty: the biases are not penalised"))
    return N_("0 for lam = 0, proportional to lam and to 1/m, independent of the biases")


def _penalty_inputs(l2_penalty):
    params = {"W1": np.array([[1, -1], [2, 0]]), "b1": np.array([3, 3]),
              "W2": np.array([[1], [1]]), "b2": np.array([7])}
    before = _copy_params(params)
    got = _scalar(l2_penalty(params, 3, 1), N_("l2_penalty of integer weights with m = 1, K = 1"))
    expect_close(got, 3 / 2 * 8, N_("l2_penalty(integer weights, lam=3, m=1)"))
    for k in before:
        if not np.array_equal(params[k], before[k]):
            fail(_("your function changed params[{key}]; it should only read the weights").format(
                key=repr(k)))
    return N_("integer weights, m = 1, params left unchanged")


l2_penalty = Exercise(
    name="l2_penalty",
    signature="l2_penalty(params, lam, m) -> lam/(2m) (||W1||_F^2 + ||W2||_F^2), a number",
    examples=[Example("W1 = [[1, 2], [3, 4]], W2 = [[1, 0, -1], [2, 0, 0]], "
                      "b1 = [5, 5], b2 = [10, 10, 10], lam = 2, m = 4",
                      (PARAMS_EXAMPLE, 2.0, 4))],
    checks=[Check(N_("how it scales"), _penalty_scaling),
            Check(N_("edge cases"), _penalty_inputs)],
    hints=[
        N_("Do the worked example by hand first: ||W1||_F^2 is the sum of the squares of W1's "
           "four entries. Which entries of params go in, and which stay out?"),
        N_("Square every entry, then add them up: in numpy the order matters, np.sum(W ** 2) "
           "is not np.sum(W) ** 2."),
        N_("The factor is lam / (2 * m): with Python's precedence, lam / 2 * m is (lam / 2) * m."),
    ],
)


# ----------------------------------------------------------------------------- penalty_slope
penalty_slope = Question(
    name="penalty_slope",
    signature="penalty_slope() -> the slope of lam/(2m) w^2 at w = 3, for lam = 2, m = 4",
    hints=[
        N_("lam/(2m) is a constant here: the term is a constant times w². What is the derivative "
           "of w²?"),
        N_("Put the numbers in last: first the slope as a formula in w, lam and m, then w = 3, "
           "lam = 2, m = 4."),
    ],
)


# ---------------------------------------------------------------------------------- l2_grad
def _grad_inputs(l2_grad):
    rng = np.random.default_rng(5)
    W = rng.normal(size=(3, 5))
    before = W.copy()
    got = as_array(l2_grad(W, 0.7, 7), N_("l2_grad of a (3, 5) matrix"))
    if not np.array_equal(W, before):
        fail(_("your function changed W in place; return a new array"))
    if got.shape != (3, 5):
        fail(_("l2_grad of a (3, 5) matrix has shape {shape}: a gradient has one entry per "
               "weight, the shape of W").format(shape=got.shape))
    got = as_array(l2_grad(np.array([[2, -4]]), 3, 6), N_("l2_grad of an integer matrix"))
    if got.shape != (1, 2):
        fail(_("l2_grad of a (1, 2) integer matrix has shape {shape}, not (1, 2)").format(
            shape=got.shape))
    expect_close(l2_grad(W, 0.0, 7), np.zeros((3, 5)), "l2_grad(W, lam=0, m=7)")
    return N_("any shape, integer weights, lam = 0, W left unchanged")


l2_grad = Exercise(
    name="l2_grad",
    signature="l2_grad(W, lam, m) -> the gradient of lam/(2m) ||W||_F^2 with respect to W, "
              "W's shape",
    examples=[Example("W = [[1, -2], [0, 3]], lam = 2, m = 4", (W_EXAMPLE, 2.0, 4))],
    checks=[Check(N_("edge cases"), _grad_inputs)],
    hints=[
        N_("Your penalty_slope, for every weight at once: ||W||_F^2 is a sum of one square per "
           "entry, and the entry W[j, k] appears in only one of them."),
        N_("So entry (j, k) of the gradient depends on W[j, k] alone, in the same way for every "
           "entry: the whole gradient is a number times W."),
    ],
)


# --------------------------------------------------------------------------- pixels_01_layer
pixels_01_layer = Question(
    name="pixels_01_layer",
    signature='pixels_01_layer() -> {"W1": (3, 2), "b1": (2,)} that give the same Z1 for '
              "pixels x' = (x + 1)/2",
    hints=[
        N_("Write x with x': from x' = (x + 1)/2, x = 2x' − 1 (for every pixel). Put that into "
           "Z1 = x W1 + b1 and expand."),
        N_("One part of the result multiplies x': that is the new W1. The rest does not depend "
           "on the image: that is the new b1. The constant row (−1, −1, −1) times W1 is one "
           "number per hidden unit."),
    ],
)


# ------------------------------------------------------------------------ regularised_grads
def _reg_new_dict(regularised_grads):
    grads, params = _copy_params(GRADS_EXAMPLE), _copy_params(PARAMS_REG_EXAMPLE)
    out = regularised_grads(grads, params, 1.0, 4)
    if out is None:
        fail(_("your function returned None: return the new dict of gradients"))
    if out is grads:
        fail(_("you returned the same dict you were given: build and return a new dict"))
    if not isinstance(out, dict):
        fail(_("return a dict with the keys W1, b1, W2, b2, not a {kind}").format(
            kind=type(out).__name__))
    for k in GRADS_EXAMPLE:
        if not np.array_equal(grads[k], GRADS_EXAMPLE[k]) or \
                not np.array_equal(params[k], PARAMS_REG_EXAMPLE[k]):
            fail(_("your function changed its input ({key}) in place; compute new arrays "
                   "(`g + ...`, not `g += ...`)").format(key=repr(k)))
    return None


regularised_grads = Exercise(
    name="regularised_grads",
    signature="regularised_grads(grads, params, lam, m) -> a new dict: grads with the "
              "penalty's gradient added where it belongs",
    examples=[Example("grads = {W1: [[0.5, 0]], b1: [0.25, -0.25], W2: "
                      "[[1], [-1]], b2: [0.5]}, params = {W1: [[2, -2]], b1: [4, 4], W2: "
                      "[[1], [3]], b2: [-8]}, lam = 1, m = 4",
                      (GRADS_EXAMPLE, PARAMS_REG_EXAMPLE, 1.0, 4))],
    checks=[Check(N_("a new dict, inputs unchanged"), _reg_new_dict)],
    uses=("l2_grad",),
    hints=[
        N_("Build a new dict with the same four keys. Which two get something added, and which "
           "two are copied as they are?"),
        N_("What is added to a weight's gradient is your l2_grad of that weight. `+=` on an array "
           "you were given changes the caller's array: make new ones."),
    ],
)


# ------------------------------------------------------------------------------ decay_factor
decay_factor = Question(
    name="decay_factor",
    signature="decay_factor() -> c in W <- c W - lr G, for lr = 0.1, lam = 1, m = 10",
    hints=[
        N_("The step uses the whole gradient of J with respect to W: the data part G plus the "
           "penalty's part, your l2_grad."),
        N_("Expand W − lr (G + ...) and collect the terms that multiply W."),
    ],
)


# ---------------------------------------------------------------------------- minibatch_lam
minibatch_lam = Exercise(
    name="minibatch_lam",
    signature="minibatch_lam(lam, batch_size, m) -> the lam to pass to a backward pass over one "
              "minibatch, under the course's convention",
    examples=[Example("lam = 1, batch_size = 64, m = 7291", (1.0, 64, 7291)),
              Example(N_("lam = 3, batch_size = 10, m = 10 (the batch is all the data)"),
                      (3, 10, 10))],
    hints=[
        N_("On a batch of B samples, backward is the backward of a J over B samples: with lam_B, "
           "its penalty gradient is your l2_grad with lam_B and B in place of lam and m."),
        N_("Write the two penalty gradients, the batch's and the full objective's, side by side "
           "and set them equal: W is on both sides."),
    ],
)

register(l2_penalty, penalty_slope, l2_grad, pixels_01_layer, regularised_grads, decay_factor,
         minibatch_lam)
