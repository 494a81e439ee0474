"""Hidden grading for 04_l2_penalty: l2_penalty, penalty_slope, l2_grad, pixels_01_layer,
regularised_grads, decay_factor, minibatch_lam.

The questions (penalty_slope, pixels_01_layer, decay_factor) are functions of no arguments that
return the student's answer (questions.py): the right answer and the known wrong ones, named.
Their inputs are the public module's.
"""
import numpy as np

from course.exercises import a04_l2_penalty as public
from course.i18n import N_
from instructor import reference as R

from . import Case, Graded
from .questions import question

WEIGHTS = ("W1", "W2")


def _params(rng, n, H, K, scale=1.0, bias=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale, "b1": rng.normal(size=H) * bias,
            "W2": rng.normal(size=(H, K)) * scale, "b2": rng.normal(size=K) * bias}


def _f(a):
    return np.asarray(a, dtype=float)


def _sq(W):
    return float(np.sum(_f(W) ** 2))


# ------------------------------------------------------------------------------- l2_penalty
def l2_penalty_cases(rng):
    cases = [Case(f"random weights n={n}, H={H}, K={K}, lam={lam}, m={m}",
                  (_params(rng, n, H, K, bias=5.0), lam, m), (0,))
             for n, H, K, lam, m in [(4, 3, 2, 0.5, 10), (16, 8, 10, 1.0, 64),
                                     (256, 32, 10, 2.0, 7291), (3, 5, 2, 0.1, 3)]]
    cases += [
        Case("lam = 0", (_params(rng, 4, 4, 3), 0.0, 5), (0,)),
        Case("m = 1, K = 2", (_params(rng, 3, 2, 2, bias=3.0), 1.5, 1), (0,)),
        Case("integer weights and biases, integer lam and m",
             ({"W1": rng.integers(-3, 4, size=(3, 4)), "b1": rng.integers(1, 5, size=4),
               "W2": rng.integers(-3, 4, size=(4, 2)), "b2": rng.integers(1, 5, size=2)},
              3, 4), (0,)),
        Case("large biases, small weights", (_params(rng, 5, 6, 3, scale=0.1, bias=50.0),
                                             1.0, 8), (0,)),
    ]
    return cases


def _penalty(lam_factor, norms):
    return lambda p, lam, m: lam_factor(lam, m) * norms(p)


def _both(square):
    return lambda p: square(p["W1"]) + square(p["W2"])


L2_PENALTY_MISTAKES = {
    N_("lam/m instead of lam/(2m) in front of the squared norms (the 1/2 of the course's "
       "lam/(2m) is missing)"): _penalty(lambda lam, m: lam / m, _both(_sq)),
    N_("the 1/m is missing: lam/2 (||W1||^2 + ||W2||^2)"):
        _penalty(lambda lam, m: lam / 2, _both(_sq)),
    N_("both the 1/2 and the 1/m are missing: lam (||W1||^2 + ||W2||^2)"):
        _penalty(lambda lam, m: lam, _both(_sq)),
    N_("lam/2 * m in place of lam/(2m): Python reads lam / 2 * m as (lam / 2) * m"):
        _penalty(lambda lam, m: lam / 2 * m, _both(_sq)),
    N_("penalising the biases too"):
        lambda p, lam, m: lam / (2 * m) * sum(_sq(v) for v in p.values()),
    N_("summing the norms ||W1|| + ||W2|| instead of their squares"):
        _penalty(lambda lam, m: lam / (2 * m), _both(lambda W: np.sqrt(_sq(W)))),
    N_("squaring the sum of the norms, (||W1|| + ||W2||)^2, instead of adding their squares"):
        _penalty(lambda lam, m: lam / (2 * m),
                 lambda p: (np.sqrt(_sq(p["W1"])) + np.sqrt(_sq(p["W2"]))) ** 2),
    N_("the square of the sum of the entries, np.sum(W) ** 2, instead of the sum of their "
       "squares, np.sum(W ** 2)"):
        _penalty(lambda lam, m: lam / (2 * m), _both(lambda W: float(np.sum(_f(W))) ** 2)),
    N_("the sum of every entry of W^T W: ||W||_F^2 is its trace, the diagonal only"):
        _penalty(lambda lam, m: lam / (2 * m), _both(lambda W: float(np.sum(_f(W).T @ _f(W))))),
    N_("the mean of the squared entries (np.mean) instead of their sum"):
        _penalty(lambda lam, m: lam / (2 * m), _both(lambda W: float(np.mean(_f(W) ** 2)))),
    N_("only W1 penalised (W2 forgotten)"): lambda p, lam, m: lam / (2 * m) * _sq(p["W1"]),
    N_("only W2 penalised (W1 forgotten)"): lambda p, lam, m: lam / (2 * m) * _sq(p["W2"]),
}


# ----------------------------------------------------------------------------- penalty_slope
def _slope(f):
    q = public.SLOPE_QUESTION
    return f(q["w"], q["lam"], q["m"])


PENALTY_SLOPE = _slope(lambda w, lam, m: lam / m * w)  # d/dw of lam/(2m) w^2 = (lam/m) w


PENALTY_SLOPE_MISTAKES = {
    N_("lam/(2m) w: the derivative of w^2 is 2w, so the 2 cancels the 1/2"):
        _slope(lambda w, lam, m: lam / (2 * m) * w),
    N_("2 lam/m w, the slope of lam/m w^2: the course's penalty has lam/(2m), and the 2 from w^2 "
       "cancels its 1/2"): _slope(lambda w, lam, m: 2 * lam / m * w),
    N_("lam w: the 1/m is missing"): _slope(lambda w, lam, m: lam * w),
    N_("the term's value lam/(2m) w^2, not its slope"):
        _slope(lambda w, lam, m: lam / (2 * m) * w ** 2),
    N_("lam/m: the derivative of w^2 is 2w, not 2"): _slope(lambda w, lam, m: lam / m),
}


# ---------------------------------------------------------------------------------- l2_grad
def l2_grad_cases(rng):
    cases = [Case(f"random W of shape {shape}, lam={lam}, m={m}",
                  (rng.normal(size=shape), lam, m), (0,))
             for shape, lam, m in [((4, 3), 0.5, 10), ((256, 256), 1.0, 7291),
                                   ((256, 10), 2.0, 64), ((1, 2), 0.3, 7)]]
    cases += [
        Case("lam = 0", (rng.normal(size=(3, 3)), 0.0, 5), (0,)),
        Case("m = 1", (rng.normal(size=(2, 5)), 1.5, 1), (0,)),
        Case("integer W, lam and m", (rng.integers(-4, 5, size=(3, 2)), 3, 4), (0,)),
        Case("float32 W", (rng.normal(size=(3, 4)).astype(np.float32), 0.5, 3), (0,)),
    ]
    return cases


L2_GRAD_MISTAKES = {
    N_("2 lam/m W, the gradient of lam/m ||W||^2 (with the course's lam/(2m) ||W||^2 the 2 "
       "cancels)"): lambda W, lam, m: 2 * lam / m * _f(W),
    N_("lam/(2m) W: the penalty's coefficient used in the gradient (the derivative of ||W||^2 is "
       "2W)"): lambda W, lam, m: lam / (2 * m) * _f(W),
    N_("the 1/m is missing: lam W"): lambda W, lam, m: lam * _f(W),
    N_("lam/m sign(W), the gradient of an L1 penalty (lam/m) sum |W|"):
        lambda W, lam, m: lam / m * np.sign(_f(W)),
    N_("the penalty's value lam/(2m) ||W||^2, one number, instead of its gradient, one entry per "
       "weight"): lambda W, lam, m: lam / (2 * m) * _sq(W),
}


# --------------------------------------------------------------------------- pixels_01_layer
def _pixels(W1, b1):
    return {"W1": W1(public.W1_PIXELS), "b1": b1(public.W1_PIXELS, public.B1_PIXELS)}


# x = 2x' - 1, so Z1 = x W1 + b1 = x' (2 W1) + (b1 - 1^T W1)
PIXELS_01_LAYER = _pixels(lambda W: 2 * W, lambda W, b: b - W.sum(axis=0))


PIXELS_01_LAYER_MISTAKES = {
    N_("the conversion the wrong way round, W1/2 and b1 + (1/2) 1^T W1 (those turn a layer for "
       "pixels in [0, 1] into one for [-1, 1]): here x = 2x' - 1"): _pixels(
        lambda W: W / 2, lambda W, b: b + W.sum(axis=0) / 2),
    N_("the scaling only, 2 W1 with b1 unchanged: x = 2x' - 1 also shifts, and the bias must "
       "absorb the -1"): _pixels(lambda W: 2 * W, lambda W, b: b),
    N_("the shift only, b1 - 1^T W1 with W1 unchanged: x = 2x' - 1 also doubles, so the weights "
       "must double"): _pixels(lambda W: W, lambda W, b: b - W.sum(axis=0)),
    N_("the shift with the wrong sign, b1 + 1^T W1: (2x' - 1) W1 = x' (2 W1) - 1^T W1"):
        _pixels(lambda W: 2 * W, lambda W, b: b + W.sum(axis=0)),
}


# ------------------------------------------------------------------------ regularised_grads
def regularised_grads_cases(rng):
    cases = []
    for n, H, K, lam, m in [(4, 3, 2, 0.5, 10), (16, 8, 10, 1.0, 64), (3, 5, 2, 2.0, 3),
                            (2, 2, 2, 1.0, 1)]:
        grads = _params(rng, n, H, K, scale=0.1, bias=0.1)
        cases.append(Case(f"n={n}, H={H}, K={K}, lam={lam}, m={m}",
                          (grads, _params(rng, n, H, K, bias=3.0), lam, m), (0, 1)))
    cases.append(Case("lam = 0", (_params(rng, 3, 3, 2), _params(rng, 3, 3, 2), 0.0, 4), (0, 1)))
    cases.append(Case("integer weights", (_params(rng, 2, 3, 2),
                                          {"W1": rng.integers(-2, 3, size=(2, 3)),
                                           "b1": rng.integers(-2, 3, size=3),
                                           "W2": rng.integers(-2, 3, size=(3, 2)),
                                           "b2": rng.integers(-2, 3, size=2)}, 2, 4), (0, 1)))
    return cases


def _with_l2(factor, keys=WEIGHTS):
    def variant(grads, params, lam, m):
        return {k: _f(g) + factor(lam, m) * _f(params[k]) if k in keys else _f(g)
                for k, g in grads.items()}
    return variant


REGULARISED_GRADS_MISTAKES = {
    N_("penalising the biases too: (lam/m) b added to their gradients"):
        _with_l2(lambda lam, m: lam / m, keys=("W1", "b1", "W2", "b2")),
    N_("2 lam/m W added, the gradient of lam/m ||W||^2 (with lam/(2m) ||W||^2 the 2 cancels)"):
        _with_l2(lambda lam, m: 2 * lam / m),
    N_("lam/(2m) W added: the penalty's coefficient used in the gradient"):
        _with_l2(lambda lam, m: lam / (2 * m)),
    N_("the 1/m is missing: lam W added"): _with_l2(lambda lam, m: lam),
    N_("the penalty's gradient subtracted: the penalty adds to J, so its gradient adds to the "
       "data gradient"): _with_l2(lambda lam, m: -lam / m),
    N_("only W1 regularised (W2 forgotten)"): _with_l2(lambda lam, m: lam / m, keys=("W1",)),
    N_("nothing added: the weights' gradients get (lam/m) W"): _with_l2(lambda lam, m: 0.0),
}


# ------------------------------------------------------------------------------ decay_factor
def _decay(f):
    q = public.DECAY_QUESTION
    return f(q["lr"], q["lam"], q["m"])


DECAY_FACTOR = _decay(lambda lr, lam, m: 1 - lr * lam / m)


DECAY_FACTOR_MISTAKES = {
    N_("1 - lr lam/(2m): the step uses the gradient of the penalty, (lam/m) W, not its factor "
       "lam/(2m)"): _decay(lambda lr, lam, m: 1 - lr * lam / (2 * m)),
    N_("1 - lr lam: the 1/m of the penalty's gradient is missing"):
        _decay(lambda lr, lam, m: 1 - lr * lam),
    N_("lr lam/m, the part taken away each step, not the factor that multiplies W"):
        _decay(lambda lr, lam, m: lr * lam / m),
    N_("1 - 2 lr lam/m: the gradient of lam/(2m) ||W||^2 is (lam/m) W, the 2 cancels"):
        _decay(lambda lr, lam, m: 1 - 2 * lr * lam / m),
    N_("1 + lr lam/m: a gradient step goes against the gradient, W - lr (...)"):
        _decay(lambda lr, lam, m: 1 + lr * lam / m),
}


# ---------------------------------------------------------------------------- minibatch_lam
def minibatch_lam_cases(rng):
    return [Case(f"lam={lam}, batch_size={B}, m={m}", (lam, B, m))
            for lam, B, m in [(1.0, 64, 7291), (0.5, 32, 1000), (2, 10, 10), (3, 1, 50),
                              (0.0, 16, 100), (1.5, 128, 7291)]]


MINIBATCH_LAM_MISTAKES = {
    N_("lam passed unchanged. That is another convention, and a valid one if lam is tuned under "
       "it (06 accepts it): each step then follows J with a penalty m/B times stronger. This "
       "exercise asks for the course's convention, where each step follows the full J"):
        lambda lam, B, m: lam,
    N_("the ratio upside down: lam m / B"): lambda lam, B, m: lam * m / B,
    N_("the division by m is missing: lam B"): lambda lam, B, m: lam * B,
    N_("the multiplication by the batch size is missing: lam / m"): lambda lam, B, m: lam / m,
}


GRADED = [
    Graded("l2_penalty", R.l2_penalty, l2_penalty_cases, L2_PENALTY_MISTAKES),
    question("penalty_slope", PENALTY_SLOPE, PENALTY_SLOPE_MISTAKES),
    Graded("l2_grad", R.l2_grad, l2_grad_cases, L2_GRAD_MISTAKES),
    question("pixels_01_layer", PIXELS_01_LAYER, PIXELS_01_LAYER_MISTAKES),
    Graded("regularised_grads", R.regularised_grads, regularised_grads_cases,
           REGULARISED_GRADS_MISTAKES),
    question("decay_factor", DECAY_FACTOR, DECAY_FACTOR_MISTAKES),
    Graded("minibatch_lam", R.minibatch_lam, minibatch_lam_cases, MINIBATCH_LAM_MISTAKES),
]
