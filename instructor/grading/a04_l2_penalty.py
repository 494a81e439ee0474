"""Hidden grading for 04_l2_penalty: l2_penalty, l2_grad, regularised_grads, minibatch_lam."""
import numpy as np

from instructor import reference as R

from . import Case, Graded

WEIGHTS = ("W1", "W2")


def _params(rng, n, H, K, scale=1.0, bias=1.0):
    return {"W1": rng.normal(size=(n, H)) * scale, "b1": rng.normal(size=H) * bias,
            "W2": rng.normal(size=(H, K)) * scale, "b2": rng.normal(size=K) * bias}


def _sq(W):
    return float(np.sum(np.asarray(W, dtype=float) ** 2))


# ------------------------------------------------------------------------------- l2_penalty
def penalty_cases(rng):
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


def penalty_mistakes():
    return {
        "lam/m instead of lam/(2m) in front of the squared norms (the 2 of the lam/(2m) "
        "convention is missing)":
            lambda p, lam, m: lam / m * (_sq(p["W1"]) + _sq(p["W2"])),
        "the 1/m is missing: lam/2 (||W1||^2 + ||W2||^2)":
            lambda p, lam, m: lam / 2 * (_sq(p["W1"]) + _sq(p["W2"])),
        "penalising the biases too":
            lambda p, lam, m: lam / (2 * m) * sum(_sq(v) for v in p.values()),
        "summing the norms ||W1|| + ||W2|| instead of their squares":
            lambda p, lam, m: lam / (2 * m) * (np.sqrt(_sq(p["W1"])) + np.sqrt(_sq(p["W2"]))),
        "the mean of the squared entries (np.mean) instead of their sum":
            lambda p, lam, m: lam / (2 * m) * (np.mean(np.asarray(p["W1"], float) ** 2)
                                               + np.mean(np.asarray(p["W2"], float) ** 2)),
        "only W1 penalised (W2 forgotten)": lambda p, lam, m: lam / (2 * m) * _sq(p["W1"]),
    }


# ---------------------------------------------------------------------------------- l2_grad
def grad_cases(rng):
    cases = [Case(f"random W of shape {shape}, lam={lam}, m={m}",
                  (rng.normal(size=shape), lam, m), (0,))
             for shape, lam, m in [((4, 3), 0.5, 10), ((256, 256), 1.0, 7291),
                                   ((256, 10), 2.0, 64), ((1, 2), 0.3, 7)]]
    cases += [
        Case("lam = 0", (rng.normal(size=(3, 3)), 0.0, 5), (0,)),
        Case("m = 1", (rng.normal(size=(2, 5)), 1.5, 1), (0,)),
        Case("integer W, lam and m", (rng.integers(-4, 5, size=(3, 2)), 3, 4), (0,)),
    ]
    return cases


def grad_mistakes():
    return {
        "2 lam/m W, the gradient of lam/m ||W||^2 (with lam/(2m) ||W||^2 the 2 cancels)":
            lambda W, lam, m: 2 * lam / m * np.asarray(W, float),
        "lam/(2m) W: the penalty's coefficient used in the gradient (the derivative of "
        "||W||^2 is 2W)":
            lambda W, lam, m: lam / (2 * m) * np.asarray(W, float),
        "the 1/m is missing: lam W": lambda W, lam, m: lam * np.asarray(W, float),
        "lam/m sign(W), the gradient of an L1 penalty":
            lambda W, lam, m: lam / m * np.sign(np.asarray(W, float)),
    }


# ------------------------------------------------------------------------ regularised_grads
def regularised_grads_reference(grads, params, lam, m):
    return {k: g + R.l2_grad(params[k], lam, m) if k in WEIGHTS else np.array(g, dtype=float)
            for k, g in grads.items()}


def _with_l2(factor, keys=WEIGHTS):
    def variant(grads, params, lam, m):
        return {k: g + factor(lam, m) * np.asarray(params[k], float) if k in keys else g
                for k, g in grads.items()}
    return variant


def reg_cases(rng):
    cases = []
    for n, H, K, lam, m in [(4, 3, 2, 0.5, 10), (16, 8, 10, 1.0, 64), (3, 5, 2, 2.0, 3),
                            (2, 2, 2, 1.0, 1)]:
        grads = _params(rng, n, H, K, scale=0.1, bias=0.1)
        cases.append(Case(f"n={n}, H={H}, K={K}, lam={lam}, m={m}",
                          (grads, _params(rng, n, H, K, bias=3.0), lam, m), (0, 1)))
    cases.append(Case("lam = 0", (_params(rng, 3, 3, 2), _params(rng, 3, 3, 2), 0.0, 4),
                      (0, 1)))
    return cases


def reg_mistakes():
    return {
        "penalising the biases too: (lam/m) b added to their gradients":
            _with_l2(lambda lam, m: lam / m, keys=("W1", "b1", "W2", "b2")),
        "2 lam/m W added, the gradient of lam/m ||W||^2 (with lam/(2m) ||W||^2 the 2 cancels)":
            _with_l2(lambda lam, m: 2 * lam / m),
        "lam/(2m) W added: the penalty's coefficient used in the gradient":
            _with_l2(lambda lam, m: lam / (2 * m)),
        "the 1/m is missing: lam W added": _with_l2(lambda lam, m: lam),
        "only W1 regularised (W2 forgotten)": _with_l2(lambda lam, m: lam / m, keys=("W1",)),
    }


# ---------------------------------------------------------------------------- minibatch_lam
def minibatch_lam_reference(lam, batch_size, m):
    return float(lam * batch_size / m)


def minibatch_cases(rng):
    return [Case(f"lam={lam}, batch_size={B}, m={m}", (lam, B, m))
            for lam, B, m in [(1.0, 64, 7291), (0.5, 32, 1000), (2, 10, 10), (3, 1, 50),
                              (0.0, 16, 100), (1.5, 128, 7291)]]


GRADED = [
    Graded("l2_penalty", R.l2_penalty, penalty_cases, penalty_mistakes()),
    Graded("l2_grad", R.l2_grad, grad_cases, grad_mistakes()),
    Graded("regularised_grads", regularised_grads_reference, reg_cases, reg_mistakes()),
    Graded("minibatch_lam", minibatch_lam_reference, minibatch_cases, {
        "lam passed unchanged: on a batch of B samples the penalty's gradient (lam/B) W is "
        "then m/B times too strong": lambda lam, B, m: lam,
        "the ratio upside down: lam m / B": lambda lam, B, m: lam * m / B,
        "the division by m is missing: lam B": lambda lam, B, m: lam * B,
        "the multiplication by the batch size is missing: lam / m": lambda lam, B, m: lam / m,
    }),
]
