"""The reference implementation, proven against central finite differences in float64."""
import copy
import warnings

import numpy as np
import pytest

from course.compare import same_value
from course.gradcheck import check_gradient, numerical_gradient, rel_error
from instructor import grading
from instructor import reference as R

SHAPES = [  # (m, n, H, K)
    (1, 3, 4, 2),
    (1, 5, 3, 10),
    (4, 6, 5, 2),
    (7, 4, 8, 3),
    (12, 10, 6, 10),
]


def random_problem(m, n, H, K, seed):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(n, H)), "b1": rng.normal(size=H),
              "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K)}
    X = rng.normal(size=(m, n))
    y = rng.integers(0, K, size=m)
    return params, X, y


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("lam", [0.0, 0.7])
def test_backward_matches_finite_differences(shape, lam):
    params, X, y = random_problem(*shape, seed=sum(shape))
    _, cache = R.forward(params, X)
    grads = R.backward(params, cache, X, y, lam)
    assert set(grads) == {"W1", "b1", "W2", "b2", "X"}
    report = check_gradient(lambda p: R.loss(p, X, y, lam), params,
                            {k: grads[k] for k in R.PARAM_NAMES},
                            kink_probe=lambda p: X @ p["W1"] + p["b1"])
    for name in R.PARAM_NAMES:
        assert report.errors[name] <= 1e-7, str(report)
        assert report.checked[name] > 0
    # dX, checked the same way
    num_dX = numerical_gradient(lambda x: R.loss(params, x, y, lam), X.copy())
    assert rel_error(grads["X"], num_dX) <= 1e-7


@pytest.mark.parametrize("K", [2, 3, 10])
def test_softmax_jacobian_matches_finite_differences(K):
    z = np.random.default_rng(K).normal(size=K) * 3
    J = R.softmax_jacobian(z)
    num = np.stack([numerical_gradient(lambda v: R.softmax(v)[j], z.copy()) for j in range(K)])
    assert J.shape == (K, K)
    assert rel_error(J, num) <= 1e-7
    assert np.allclose(J, J.T)
    assert np.allclose(J.sum(axis=0), 0)


@pytest.mark.parametrize("m,K", [(1, 2), (5, 10), (3, 4)])
def test_softmax_cross_entropy_backward_matches_finite_differences(m, K):
    rng = np.random.default_rng(m * K)
    Z, y = rng.normal(size=(m, K)) * 2, rng.integers(0, K, size=m)
    num = numerical_gradient(lambda z: R.cross_entropy(R.softmax(z), y), Z.copy())
    assert rel_error(R.softmax_cross_entropy_backward(Z, y), num) <= 1e-7


@pytest.mark.parametrize("m,d,k", [(1, 3, 4), (6, 5, 7), (4, 4, 4)])
def test_layer_backward_steps_match_finite_differences(m, d, k):
    """Each layer alone, on an upstream gradient G: the scalar sum(G * Out) has dOut = G."""
    rng = np.random.default_rng(m + d + k)
    X, W, b = rng.normal(size=(m, d)), rng.normal(size=(d, k)), rng.normal(size=k)
    G = rng.normal(size=(m, k))
    dX, dW, db = R.affine_backward(G, X, W)
    for got, x, f in [(dX, X, lambda x_: R.affine_forward(x_, W, b)),
                      (dW, W, lambda w: R.affine_forward(X, w, b)),
                      (db, b, lambda b_: R.affine_forward(X, W, b_))]:
        assert rel_error(got, numerical_gradient(lambda v: np.sum(G * f(v)), x.copy())) <= 1e-7
    Z = rng.normal(size=(m, k))  # no entry within 1e-5 of the kink
    for forward, backward in [(R.relu_forward, R.relu_backward), (np.tanh, R.tanh_backward)]:
        num = numerical_gradient(lambda z: np.sum(G * forward(z)), Z.copy())
        assert rel_error(backward(G, Z), num) <= 1e-7


def test_l2_penalty_and_gradient():
    params, X, y = random_problem(5, 4, 3, 2, seed=1)
    lam, m = 0.3, 5
    expected = lam / (2 * m) * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert R.l2_penalty(params, lam, m) == pytest.approx(expected, rel=1e-12)
    W = params["W1"].copy()
    num = numerical_gradient(lambda w: lam / (2 * m) * np.sum(w ** 2), W)
    assert rel_error(R.l2_grad(W, lam, m), num) <= 1e-7
    # the penalty is what separates loss(lam) from loss(0)
    assert R.loss(params, X, y, lam) - R.loss(params, X, y, 0) == pytest.approx(expected)


def test_relu_mask_is_zero_at_zero():
    Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.0]])
    assert R.relu_mask(Z).tolist() == [[0, 0, 1], [0, 1, 0]]
    assert R.relu_mask(Z).dtype == float
    assert R.relu_forward(Z).tolist() == [[0, 0, 2], [0, 3, 0]]
    assert R.relu_backward(np.full((2, 3), 5.0), Z).tolist() == [[0, 0, 5], [0, 5, 0]]


def test_stable_at_extreme_logits():
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]])
    y = np.array([0, 1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow, 0-division or nan warning fails the test
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            P = R.softmax(Z)
            G = R.softmax_cross_entropy_backward(Z, y)
            J = R.softmax_jacobian(Z[0])
            ls = R.log_softmax(Z)
    assert np.all(np.isfinite(P)) and np.all(np.isfinite(G)) and np.all(np.isfinite(J))
    assert np.all(np.isfinite(ls))
    assert np.allclose(P.sum(axis=1), 1)
    assert np.allclose(P[1], 1 / 3)
    # the full loss stays finite even where the correct class has probability ~ e^-1000
    params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3) * 1000, "b2": np.zeros(3)}
    X = np.array([[1.0, 0, 0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert np.isfinite(R.loss(params, X, np.array([1]), 0.0))
    assert R.loss(params, X, np.array([1]), 0.0) == pytest.approx(1000.0)


def test_one_hot_and_cross_entropy_small_example():
    Y = R.one_hot(np.array([2, 0]), 3)
    assert Y.tolist() == [[0, 0, 1], [1, 0, 0]]
    P = np.array([[0.2, 0.3, 0.5], [0.25, 0.25, 0.5]])
    assert R.cross_entropy(P, np.array([2, 0])) == pytest.approx(-(np.log(0.5) + np.log(0.25)) / 2)


def test_numerical_gradient_restores_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = R.numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert np.array_equal(x, before)
    assert rel_error(g, 3 * before ** 2) <= 1e-7


def test_sgd_step_updates_in_place():
    params, X, y = random_problem(3, 4, 5, 2, seed=3)
    before = {k: v.copy() for k, v in params.items()}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    out = R.sgd_step(params, grads, 0.1)
    assert out is params
    for k in R.PARAM_NAMES:
        assert np.allclose(params[k], before[k] - 0.1)


def test_shift_images_moves_pixels():
    img = -np.ones((1, 256))
    img[0, 5 * 16 + 7] = 1.0  # one ink pixel at row 5, column 7
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(60):
        out = R.shift_images(img, rng, max_shift=1).reshape(16, 16)
        r, c = np.argwhere(out == 1.0)[0]
        seen.add((r - 5, c - 7))
        assert np.sum(out == 1.0) == 1 and np.sum(out == -1.0) == 255
    assert seen == {(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)}


def test_train_rejects_unknown_schedule():
    params, X, y = random_problem(8, 4, 3, 2, seed=0)
    with pytest.raises(ValueError, match="lr_schedule"):
        R.train(params, X, y, lr_schedule="step")


@pytest.mark.parametrize("name", sorted(grading.registry()))
def test_each_reference_changes_in_place_only_the_arguments_it_declares(name):
    """A stand-in carries back what its reference changes in place (Graded.changes_args):
    that declaration is what the reference does on the hidden cases."""
    graded = grading.registry()[name]
    changed = set()
    for case in graded.make_cases():
        args = copy.deepcopy(list(case.args))
        case.call(graded.reference, args) if case.call else graded.reference(*args)
        changed |= {i for i, (after, before) in enumerate(zip(args, case.args))
                    if not same_value(after, before)}
    assert changed == set(graded.changes_args)
