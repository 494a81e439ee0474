"""03_relu_mask: relu, relu_mask, the seed's shape slip (column_shapes), and the backward pass
through the output layer (output_layer_backward) and through the ReLU hidden layer
(hidden_layer_backward)."""
import numpy as np

from . import Check, Exercise, as_array, expect_close, fail, register, unchanged

H_EXAMPLE = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0],
                      [1.0, 0.0, -0.0, -1e-12, 1e-12]])


# --------------------------------------------------------------------------------------- relu
def _relu_example(relu):
    got = as_array(relu(H_EXAMPLE.copy()), "relu(H) for the worked example")
    if got.shape != (2, 5):
        fail(f"relu(H) for H of shape (2, 5) has shape {got.shape}: it must keep H's shape. "
             f"(np.max(H, 0) is the largest entry of each column; np.maximum(H, 0) compares "
             f"every entry with 0)")
    if np.array_equal(got, (H_EXAMPLE > 0).astype(float)):
        fail("you returned the mask [H > 0] (0s and 1s). relu returns the values max(H, 0)")
    if np.allclose(got, np.minimum(H_EXAMPLE, 0)):
        fail("you kept the negative part, min(H, 0): relu keeps the positive part, max(H, 0)")
    if np.allclose(got, np.abs(H_EXAMPLE)):
        fail("you returned |H|: negative entries become 0, they do not change sign")
    expect_close(got, [[0, 0, 0, 0.5, 3.0], [1.0, 0, 0, 0, 1e-12]],
                 "relu([[-2, -0.5, 0, 0.5, 3], [1, 0, -0, -1e-12, 1e-12]])", atol=1e-15)
    return "relu([-2, -0.5, 0, 0.5, 3]) = [0, 0, 0, 0.5, 3]"


def _relu_edges(relu):
    H = np.random.default_rng(7).normal(size=(4, 6))
    got = as_array(unchanged(relu, H), "relu(H) for H of shape (4, 6)")
    if got.shape != H.shape:
        fail(f"relu(H) has shape {got.shape}; it works entry by entry, so it keeps H's shape "
             f"{H.shape}")
    expect_close(relu(np.array([[-3, 0, 2]])), [[0.0, 0.0, 2.0]], "relu of an integer array")
    expect_close(relu(np.array([[-1.5], [2.5]])), [[0.0], [2.5]], "relu of a (2, 1) array")
    return "keeps the shape, integer input, input left unchanged"


relu = Exercise(
    name="relu",
    signature="relu(H) -> A, same shape as H",
    checks=[Check("worked example", _relu_example), Check("shapes and inputs", _relu_edges)],
    hints=[
        "ReLU works entry by entry: each entry h becomes max(h, 0).",
        "`np.maximum(H, 0)` compares every entry with 0 (np.max(H, 0) is something else: the "
        "largest entry along axis 0). Don't write `H[H < 0] = 0`: that changes the caller's H.",
    ],
)


# ---------------------------------------------------------------------------------- relu_mask
MASK_EXAMPLE = np.array([[0, 0, 0, 1, 1], [1, 0, 0, 0, 1]], dtype=float)


def _mask_example(relu_mask):
    got = as_array(relu_mask(H_EXAMPLE.copy()), "relu_mask(H) for the worked example", (2, 5))
    if np.array_equal(got, (H_EXAMPLE >= 0).astype(float)):
        fail("your mask is 1 where H is exactly 0: that is [H >= 0]. The course takes the "
             "derivative of ReLU at 0 to be 0 (an exactly-0 unit passes no gradient): use "
             "H > 0")
    if np.any(got < 0):
        fail("your mask has -1 where H < 0 (np.sign(H)?). The derivative of max(h, 0) is 0 for "
             "h < 0, not -1")
    if np.allclose(got, np.maximum(H_EXAMPLE, 0)):
        fail("you returned ReLU(H), the values. The mask is the derivative: 1 where H > 0, "
             "else 0")
    if not np.all((got == 0) | (got == 1)):
        fail(f"a mask holds only 0s and 1s, yours is {np.array2string(got, precision=3)}")
    expect_close(got, MASK_EXAMPLE, "relu_mask([[-2, -0.5, 0, 0.5, 3], "
                                    "[1, 0, -0, -1e-12, 1e-12]])")
    return "1 where H > 0, 0 where H <= 0 (including exactly 0)"


def _mask_edges(relu_mask):
    H = np.random.default_rng(8).integers(-2, 3, size=(5, 4))
    got = as_array(unchanged(relu_mask, H), "relu_mask(H) for an integer H of shape (5, 4)")
    if got.shape != H.shape:
        fail(f"relu_mask(H) has shape {got.shape}, expected H's shape {H.shape}")
    expect_close(got, np.where(H > 0, 1.0, 0.0), "relu_mask of an integer H with zeros")
    H32 = np.array([[0.0, 0.25, -0.25]], dtype=np.float32)
    expect_close(relu_mask(H32), [[0.0, 1.0, 0.0]], "relu_mask of a float32 array")
    return "integer and float32 input, ties at 0, input left unchanged"


relu_mask = Exercise(
    name="relu_mask",
    signature="relu_mask(H) -> M, same shape as H, M = [H > 0] as floats",
    checks=[Check("worked example", _mask_example), Check("shapes and inputs", _mask_edges)],
    hints=[
        "The mask is the derivative of ReLU, entry by entry: the slope of max(h, 0) is 1 for "
        "h > 0 and 0 for h < 0. At h = 0 exactly, the course chooses 0.",
        "A comparison such as `H > 0` gives a boolean array of H's shape; `.astype(float)` "
        "turns True/False into 1.0/0.0.",
        "`return (H > 0).astype(float)` (not `>=`: the tie H = 0 gets 0).",
    ],
)


# ------------------------------------------------------------------------------ column_shapes
SHAPE_KEYS = ("z", "h", "Theta", "delta1", "dJ_dz", "dJ_dU", "dJ_dW")


def _shapes_of(result, what):
    if not isinstance(result, dict):
        fail(f"{what} should be a dict from names to shapes, got {type(result).__name__}")
    missing = [k for k in SHAPE_KEYS if k not in result]
    if missing:
        fail(f"{what} is missing the keys {missing} (expected {list(SHAPE_KEYS)})")
    shapes = {}
    for k in SHAPE_KEYS:
        try:
            shapes[k] = tuple(int(v) for v in result[k])
        except (TypeError, ValueError):
            fail(f"{what}[{k!r}] should be a shape such as (3, 1), got {result[k]!r}")
    return shapes


def _shapes_example(column_shapes):
    Dx, Dh, Nc = 256, 100, 10
    s = _shapes_of(column_shapes(Dx, Dh, Nc), "column_shapes(256, 100, 10)")
    why = {
        "z": "z = W x + b1 with W of shape (Dh, Dx) and x of shape (Dx, 1)",
        "h": "h = ReLU(z) is applied entry by entry, so h has the shape of z. (The source "
             "derivation says h is in R^{Dx x 1}: that is its slip)",
        "Theta": "Theta = U h + b2 with U of shape (Nc, Dh)",
        "delta1": "delta1 = dJ/dTheta = (y_hat - y)^T is a ROW: the derivative of a number with "
                  "respect to a column vector is written as a row here, as in the source",
        "dJ_dz": "dJ/dz = delta1 U (times the mask entry by entry): (1 x Nc)(Nc x Dh)",
        "dJ_dU": "the gradient of J with respect to a matrix has that matrix's shape: U is "
                 "(Nc, Dh)",
        "dJ_dW": "the gradient of J with respect to W has W's shape (Dh, Dx). (In the row "
                 "form of the course, W1 = W^T has shape (Dx, Dh))",
    }
    expected = {"z": (Dh, 1), "h": (Dh, 1), "Theta": (Nc, 1), "delta1": (1, Nc),
                "dJ_dz": (1, Dh), "dJ_dU": (Nc, Dh), "dJ_dW": (Dh, Dx)}
    for k in SHAPE_KEYS:
        if s[k] != expected[k]:
            fail(f"the shape of {k} is {s[k]}, expected {expected[k]} for Dx = 256, Dh = 100, "
                 f"Nc = 10: {why[k]}")
    return "Dx = 256, Dh = 100, Nc = 10"


def _shapes_symbolic(column_shapes):
    for dims in [(5, 3, 2), (2, 9, 4)]:
        s = _shapes_of(column_shapes(*dims), f"column_shapes{dims}")
        Dx, Dh, Nc = dims
        if s["h"] == (Dx, 1):
            fail(f"for Dx, Dh, Nc = {dims}, your h has shape (Dx, 1) = {(Dx, 1)}: h = ReLU(z) "
                 f"has the shape of z, (Dh, 1)")
        flat = [n for k in SHAPE_KEYS for n in s[k]]
        if any(n not in (1, Dx, Dh, Nc) for n in flat):
            fail(f"column_shapes{dims} contains sizes other than 1, Dx, Dh and Nc: did you "
                 f"write fixed numbers instead of using the arguments?")
    return "uses its arguments: other sizes work too"


column_shapes = Exercise(
    name="column_shapes",
    signature="column_shapes(Dx, Dh, Nc) -> dict from the names z, h, Theta, delta1, dJ_dz, "
              "dJ_dU, dJ_dW to shapes",
    checks=[Check("the shapes for a 256-100-10 network", _shapes_example),
            Check("any sizes", _shapes_symbolic)],
    hints=[
        "Go down the forward pass: a matrix of shape (a, b) times a column of shape (b, 1) is "
        "a column of shape (a, 1); an entrywise function keeps the shape.",
        "The derivative of the number J with respect to a column of length n is a row (1, n) "
        "here; its derivative with respect to a matrix has the matrix's shape. So delta1 is "
        "(1, Nc) and delta1 U is (1, Dh).",
        "z and h are (Dh, 1), Theta is (Nc, 1), delta1 (1, Nc), dJ_dz (1, Dh), dJ_dU (Nc, Dh), "
        "dJ_dW (Dh, Dx); return them in a dict, e.g. {\"z\": (Dh, 1), ...}.",
    ],
)


# ---------------------------------------------------------------------- output_layer_backward
A1_EX = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 1.0]])         # m = 2, H = 3
W2_EX = np.array([[1.0, -1.0], [0.0, 2.0], [3.0, 1.0]])      # H = 3, K = 2
DZ_EX = np.array([[0.1, -0.1], [-0.3, 0.3]])                 # m = 2, K = 2
DW2_EX = np.array([[0.1, -0.1], [-0.9, 0.9], [-0.1, 0.1]])
DB2_EX = np.array([-0.2, 0.2])
DA1_EX = np.array([[0.2, -0.2, 0.2], [-0.6, 0.6, -0.6]])


def _triple(result, what, n):
    if result is None:
        fail(f"{what} returned None: did you forget to `return` the results?")
    if not isinstance(result, (tuple, list)) or len(result) != n:
        fail(f"{what} should return a tuple of {n} arrays, got "
             f"{type(result).__name__}" + (f" of length {len(result)}"
                                          if isinstance(result, (tuple, list)) else ""))
    return result


def _output_example(output_layer_backward):
    dW2, db2, dA1 = _triple(output_layer_backward(DZ_EX.copy(), A1_EX.copy(), W2_EX.copy()),
                            "output_layer_backward(dZ, A1, W2)", 3)
    dW2 = as_array(dW2, "dW2")
    if dW2.shape == (2, 3):
        fail("dW2 has shape (K, H) = (2, 3), the transpose of W2's shape (3, 2). dZ^T A1 (or "
             "(Y_hat - Y) X1 as the source derivation writes it) is transposed: a gradient "
             "has the shape of its parameter, and A1^T dZ has shape (H, m)(m, K) = (H, K)")
    if dW2.shape != (3, 2):
        fail(f"dW2 has shape {dW2.shape}, expected W2's shape (H, K) = (3, 2)")
    if np.allclose(dW2, DW2_EX / 2):
        fail("dW2 is half the expected value (m = 2): an extra 1/m. dZ = (P - Y)/m already "
             "holds the 1/m of the mean loss")
    expect_close(dW2, DW2_EX, "dW2 for the worked example")
    db2 = as_array(db2, "db2")
    if db2.shape == (2, 2):
        fail("db2 has shape (m, K) = (2, 2), the shape of dZ: b2 has K entries and is added "
             "to every row of Z, so its gradient sums dZ over the samples (axis 0)")
    if db2.shape != (2,):
        fail(f"db2 has shape {db2.shape}, expected b2's shape (K,) = (2,)")
    if np.allclose(db2, DB2_EX / 2):
        fail("db2 is half the expected value: it is the MEAN of dZ over the samples. dZ "
             "already holds the 1/m; b2's gradient is the plain sum over axis 0")
    if np.allclose(db2, [0.0, 0.0]) and not np.allclose(DB2_EX, 0):
        fail("db2 is 0: did you sum dZ over axis 1 (the classes)? Sum over axis 0, the samples")
    expect_close(db2, DB2_EX, "db2 for the worked example")
    dA1 = as_array(dA1, "dA1")
    if dA1.shape != (2, 3):
        fail(f"dA1 has shape {dA1.shape}, expected A1's shape (m, H) = (2, 3): dZ W2^T has "
             f"shape (m, K)(K, H)")
    expect_close(dA1, DA1_EX, "dA1 for the worked example")
    return "dW2 = A1^T dZ, db2 = sum of the rows of dZ, dA1 = dZ W2^T on a 2-3-2 example"


def _output_numerical(output_layer_backward):
    rng = np.random.default_rng(9)
    m, H, K = 5, 4, 3
    A1, W2, dZ = rng.normal(size=(m, H)), rng.normal(size=(H, K)), rng.normal(size=(m, K))
    b2 = rng.normal(size=K)

    def s(A1_, W2_, b2_):  # sum(dZ * Z): its gradient with respect to Z is dZ
        return np.sum(dZ * (A1_ @ W2_ + b2_))

    num = {}
    for name, arr in (("dA1", A1), ("dW2", W2), ("db2", b2)):
        g = np.zeros_like(arr)
        for i in np.ndindex(arr.shape):
            up, down = [A1.copy(), W2.copy(), b2.copy()], [A1.copy(), W2.copy(), b2.copy()]
            k = {"dA1": 0, "dW2": 1, "db2": 2}[name]
            up[k][i] += 1e-4
            down[k][i] -= 1e-4
            g[i] = (s(*up) - s(*down)) / 2e-4
        num[name] = g
    dW2, db2, dA1 = _triple(unchanged(output_layer_backward, dZ, A1, W2),
                            "output_layer_backward(dZ, A1, W2)", 3)
    expect_close(dW2, num["dW2"], "dW2 compared with central differences (m=5, H=4, K=3)",
                 rtol=1e-6, atol=1e-8)
    expect_close(db2, num["db2"], "db2 compared with central differences", rtol=1e-6,
                 atol=1e-8)
    expect_close(dA1, num["dA1"], "dA1 compared with central differences", rtol=1e-6,
                 atol=1e-8)
    dW2, db2, dA1 = _triple(output_layer_backward(dZ[:1], A1[:1], W2),
                            "output_layer_backward for m = 1", 3)
    expect_close(db2, dZ[0], "db2 for m = 1 (a single row of dZ)")
    return "matches central differences for m=5, H=4, K=3; m = 1; inputs left unchanged"


output_layer_backward = Exercise(
    name="output_layer_backward",
    signature="output_layer_backward(dZ, A1, W2) -> (dW2, db2, dA1)",
    checks=[Check("worked example", _output_example),
            Check("numerical gradient", _output_numerical)],
    hints=[
        "Write Z_ik = sum_h A1_ih W2_hk + b2_k and differentiate one entry at a time: "
        "dJ/dW2_hk = sum_i dZ_ik A1_ih. Then check every result has the shape of the "
        "thing it is the gradient of: dW2 like W2 (H, K), db2 like b2 (K,), dA1 like A1 (m, H).",
        "sum_i A1_ih dZ_ik is entry (h, k) of A1^T dZ. b2_k is added to every row, so db2_k "
        "sums dZ_ik over the rows i. dA1_ih = sum_k dZ_ik W2_hk is entry (i, h) of dZ W2^T.",
        "`return A1.T @ dZ, dZ.sum(axis=0), dZ @ W2.T`. No extra 1/m: dZ already has it.",
    ],
)


# ---------------------------------------------------------------------- hidden_layer_backward
H1_EX = np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -1.0]])       # m = 2, H = 3, a tie at H1[0, 2]
DA1_IN = np.array([[0.2, 0.3, -0.4], [0.1, -0.5, 0.6]])
X_EX = np.array([[1.0, 2.0], [3.0, -1.0]])                   # m = 2, n = 2
DW1_EX = np.array([[0.5, -1.5, 0.0], [0.3, 0.5, 0.0]])
DB1_EX = np.array([0.3, -0.5, 0.0])


def _hidden_example(hidden_layer_backward):
    dW1, db1 = _triple(hidden_layer_backward(DA1_IN.copy(), H1_EX.copy(), X_EX.copy()),
                       "hidden_layer_backward(dA1, H1, X)", 2)
    dW1, db1 = as_array(dW1, "dW1"), as_array(db1, "db1")
    if dW1.shape != (2, 3):
        fail(f"dW1 has shape {dW1.shape}, expected W1's shape (n, H) = (2, 3): X^T dH1 has "
             f"shape (n, m)(m, H)")
    if db1.shape != (3,):
        fail(f"db1 has shape {db1.shape}, expected b1's shape (H,) = (3,): sum dH1 over the "
             f"samples (axis 0)")
    diagnoses = [
        (X_EX.T @ DA1_IN, DA1_IN.sum(axis=0),
         "no mask: dH1 = dA1 * [H1 > 0]; units with H1 <= 0 pass no gradient"),
        (X_EX.T @ (DA1_IN * (H1_EX >= 0)), (DA1_IN * (H1_EX >= 0)).sum(axis=0),
         "your mask lets the gradient through where H1 is exactly 0 (H1[0, 2] = 0 here): "
         "that is [H1 >= 0]. Use [H1 > 0]"),
        (X_EX.T @ (DA1_IN * np.maximum(H1_EX, 0)), (DA1_IN * np.maximum(H1_EX, 0)).sum(axis=0),
         "you multiplied dA1 by ReLU(H1), the values, instead of by the mask [H1 > 0], the "
         "derivative"),
        (DW1_EX / 2, DB1_EX / 2,
         "an extra 1/m: dA1 comes from dZ = (P - Y)/m and already holds it"),
    ]
    for wrong_w, wrong_b, why in diagnoses:
        if np.allclose(dW1, wrong_w) and np.allclose(db1, wrong_b):
            fail(f"dW1 and db1 are wrong in a telling way: {why}")
    expect_close(dW1, DW1_EX, "dW1 for the worked example")
    if np.allclose(db1, DB1_EX / 2):
        fail("db1 is half the expected value: it is the MEAN of dH1 over the samples; the "
             "gradient of b1 is the plain sum over axis 0 (dA1 already holds the 1/m)")
    expect_close(db1, DB1_EX, "db1 for the worked example")
    return "dH1 = dA1 * [H1 > 0], dW1 = X^T dH1, db1 = sum of the rows of dH1, with a tie at 0"


def _hidden_numerical(hidden_layer_backward):
    rng = np.random.default_rng(10)
    m, n, H = 6, 4, 5
    X, W1, b1 = rng.normal(size=(m, n)), rng.normal(size=(n, H)), rng.normal(size=H) * 0.5
    dA1 = rng.normal(size=(m, H))
    H1 = X @ W1 + b1

    def s(W1_, b1_):  # sum(dA1 * ReLU(H1)): its gradient with respect to A1 is dA1
        return np.sum(dA1 * np.maximum(X @ W1_ + b1_, 0))

    num_W, num_b = np.zeros_like(W1), np.zeros_like(b1)
    for i in np.ndindex(W1.shape):
        up, down = W1.copy(), W1.copy()
        up[i] += 1e-6
        down[i] -= 1e-6
        num_W[i] = (s(up, b1) - s(down, b1)) / 2e-6
    for i in np.ndindex(b1.shape):
        up, down = b1.copy(), b1.copy()
        up[i] += 1e-6
        down[i] -= 1e-6
        num_b[i] = (s(W1, up) - s(W1, down)) / 2e-6
    dW1, db1 = _triple(unchanged(hidden_layer_backward, dA1, H1, X),
                       "hidden_layer_backward(dA1, H1, X)", 2)
    expect_close(dW1, num_W, "dW1 compared with central differences (m=6, n=4, H=5)",
                 rtol=1e-5, atol=1e-7)
    expect_close(db1, num_b, "db1 compared with central differences", rtol=1e-5, atol=1e-7)
    dW1, db1 = _triple(hidden_layer_backward(dA1[:1], H1[:1], X[:1]),
                       "hidden_layer_backward for m = 1", 2)
    expect_close(db1, dA1[0] * (H1[0] > 0), "db1 for m = 1")
    return "matches central differences for m=6, n=4, H=5; m = 1; inputs left unchanged"


hidden_layer_backward = Exercise(
    name="hidden_layer_backward",
    signature="hidden_layer_backward(dA1, H1, X) -> (dW1, db1)",
    checks=[Check("worked example", _hidden_example),
            Check("numerical gradient", _hidden_numerical)],
    hints=[
        "Two steps. Through the ReLU: A1 = ReLU(H1) entry by entry, so dH1 = dA1 times the "
        "slope of ReLU at H1, entry by entry. Then through H1 = X W1 + b1, which has the same "
        "form as Z = A1 W2 + b2 in output_layer_backward.",
        "dH1 = dA1 * relu_mask(H1) (an elementwise product, shape (m, H)). Then dW1 = X^T dH1 "
        "(shape (n, H)) and db1 = the sum of dH1 over the samples (shape (H,)).",
        "`dH1 = dA1 * relu_mask(H1)`, `return X.T @ dH1, dH1.sum(axis=0)`. No 1/m here: dA1 "
        "already holds it.",
    ],
)

register(relu, relu_mask, column_shapes, output_layer_backward, hidden_layer_backward)
