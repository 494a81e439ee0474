"""Interactive figures for the notebooks (ipywidgets + matplotlib).

Each function takes the student's own functions, builds its widgets and returns them (the
notebook shows them as the cell's value). If a student function is not written yet, the
widget says so instead of failing, so that illustration cells always run.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def _call(fn, *args):
    """fn(*args), or None with a printed note if fn is not implemented yet or raises."""
    try:
        return fn(*args)
    except NotImplementedError:
        print(f"Implement `{getattr(fn, '__name__', 'the function')}` above to see this.")
    except Exception as err:  # noqa: BLE001 - show the student's error without failing the cell
        print(f"`{getattr(fn, '__name__', 'your function')}` raised {type(err).__name__}: {err}")
    return None


def _display(fig):
    _show_png(fig)


# --------------------------------------------------------------------------- 01 temperature
#: The temperatures the slider offers: round numbers, so that its readout and the figure's title
#: show the same T.
TEMPERATURES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
TEMPERATURE_LOGITS = (2.0, 1.0, 0.1, -1.0, 3.0, 0.5)


def softmax_temperature_figure(softmax, T, logits=TEMPERATURE_LOGITS):
    """Bars of softmax(z2 / T) computed with the student's softmax (None if it cannot run)."""
    P = _call(softmax, np.asarray(logits, dtype=float)[None, :] / T)
    if P is None:
        return None
    p = np.asarray(P, dtype=float).reshape(-1)
    fig = Figure(figsize=(7, 2.8))
    ax = fig.subplots()
    classes = np.arange(len(p))
    ax.bar(classes, p, color=["crimson" if k == np.argmax(logits) else "steelblue"
                               for k in classes])
    for k, v in zip(classes, p):
        ax.text(k, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    entropy = -np.sum(p * np.log(np.clip(p, 1e-300, 1)))
    ax.set(ylim=(0, 1.1), xticks=classes, xlabel="class $k$",
           ylabel=r"$\mathrm{softmax}(z_2/T)_k$",
           title=f"T = {T:g}: largest probability {p.max():.2f}, entropy {entropy:.2f} nats")
    fig.tight_layout()
    return fig


def softmax_temperature(softmax, logits=TEMPERATURE_LOGITS):
    """A slider for T in softmax(z2 / T), drawn with the student's softmax."""
    import ipywidgets as w

    slider = w.SelectionSlider(options=[(f"{T:g}", T) for T in TEMPERATURES], value=1.0,
                               description="T", continuous_update=True)
    out = w.Output()

    def draw(_=None):
        out.clear_output(wait=True)
        with out:
            fig = softmax_temperature_figure(softmax, slider.value, logits)
            if fig is not None:
                _display(fig)

    slider.observe(draw, names="value")
    draw()
    z2 = ", ".join(f"{v:g}" for v in logits)
    return w.VBox([w.HTML(f"logits z<sub>2</sub> = ({z2})"), slider, out])


# ------------------------------------------------------------------------- 04 L2 explorer
#: The toy problem of 04: two noisy half-moons, few samples, so that an unpenalised net overfits.
L2_MOONS = dict(n_samples=60, noise=0.35, random_state=0)
L2_HIDDEN = 50
#: The slider's grid of lambda values: 0 (no penalty), then 10^-3 ... 10^1.5, evenly on a log scale.
L2_GRID = (0.0,) + tuple(float(f"{v:.3g}") for v in np.logspace(-3, 1.5, 10))


def _show_png(fig):
    """Display a Figure as a PNG image. (A bare Figure only renders as an image once pyplot has
    drawn something in the kernel; before that IPython shows its text repr instead.)"""
    import io

    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    display(Image(data=buf.getvalue()))


def _l2_moons():
    from sklearn.datasets import make_moons

    X, y = make_moons(**L2_MOONS)
    X_test, y_test = make_moons(n_samples=1000, noise=L2_MOONS["noise"], random_state=1)
    return X, y, X_test, y_test


_L2_FITS: dict = {}


def l2_fit(lam, hidden=L2_HIDDEN):
    """scikit-learn's MLPClassifier (ReLU hidden layer, alpha = lam) fitted on the moons.

    Each (lam, hidden) is fitted once, on first use, and cached. Returns a dict: the fitted
    classifier "clf", its weights as the course's "params" (W1, b1, W2, b2), "m", and the
    train / test accuracies "train_acc", "test_acc".
    """
    key = (float(lam), int(hidden))
    if key not in _L2_FITS:
        import warnings

        from sklearn.neural_network import MLPClassifier
        from threadpoolctl import threadpool_limits

        X, y, X_test, y_test = _l2_moons()
        clf = MLPClassifier(hidden_layer_sizes=(int(hidden),), activation="relu",
                            alpha=float(lam), solver="lbfgs", random_state=0,
                            max_iter=3000, tol=1e-7)
        # One BLAS thread: these are tiny matrices, and threads only add overhead.
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")  # a ConvergenceWarning is no news here
            clf.fit(X, y)
        params = {"W1": clf.coefs_[0], "b1": clf.intercepts_[0],
                  "W2": clf.coefs_[1], "b2": clf.intercepts_[1]}
        _L2_FITS[key] = {"clf": clf, "params": params, "m": X.shape[0],
                         "train_acc": clf.score(X, y), "test_acc": clf.score(X_test, y_test)}
    return _L2_FITS[key]


def _sklearn_penalty(fit):
    """scikit-learn's own penalty term: its final objective loss_ minus its mean log-loss."""
    from sklearn.metrics import log_loss

    X, y, _, _ = _l2_moons()
    return float(fit["clf"].loss_ - log_loss(y, fit["clf"].predict_proba(X)))


def l2_explorer_text(lam, l2_penalty=None, hidden=L2_HIDDEN):
    """The numbers shown under the explorer's figure, as lines of text."""
    fit = l2_fit(lam, hidden)
    p = fit["params"]
    n1, n2 = np.linalg.norm(p["W1"]), np.linalg.norm(p["W2"])
    lines = [f"lambda = {lam:g}, m = {fit['m']}:  ||W1||_F = {n1:.4g}, ||W2||_F = {n2:.4g}, "
             f"||W1||_F^2 + ||W2||_F^2 = {n1 ** 2 + n2 ** 2:.4g}",
             f"accuracy: train {fit['train_acc']:.3f}, test {fit['test_acc']:.3f}"]
    if l2_penalty is not None:
        mine = _call(l2_penalty, p, lam, fit["m"])
        if mine is not None:
            theirs = _sklearn_penalty(fit)
            try:
                mine = float(np.asarray(mine, dtype=float))
            except (TypeError, ValueError):
                lines.append(f"your l2_penalty returned {type(mine).__name__}, not a number")
                return lines
            agree = np.isclose(mine, theirs, rtol=1e-4, atol=1e-7)
            lines.append(f"your l2_penalty(params, {lam:g}, {fit['m']}) = {mine:.6g};  "
                         f"scikit-learn's penalty term (its loss_ minus its mean log-loss) = "
                         f"{theirs:.6g}  " + ("✓ they agree" if agree else "✗ they differ"))
    return lines


def l2_explorer_figure(lam, hidden=L2_HIDDEN):
    """Decision boundary and histogram of the weights of the net fitted with penalty lam."""
    fit = l2_fit(lam, hidden)
    X, y, _, _ = _l2_moons()
    clf, p = fit["clf"], fit["params"]
    fig = Figure(figsize=(10, 3.8))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    lo, hi = X.min(axis=0) - 0.6, X.max(axis=0) + 0.6
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
    prob = clf.predict_proba(np.column_stack([g0.ravel(), g1.ravel()]))[:, 1].reshape(g0.shape)
    ax1.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax1.contour(g0, g1, prob, levels=[0.5], colors="k", linewidths=1.5)
    ax1.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=22)
    ax1.set(xticks=[], yticks=[], title=f"λ = {lam:g}: train acc {fit['train_acc']:.2f}, "
                                        f"test acc {fit['test_acc']:.2f}")
    w = np.concatenate([p["W1"].ravel(), p["W2"].ravel()])
    top = max(float(np.abs(w).max()), 1e-3)
    bins = np.linspace(-top, top, 41)
    ax2.hist([p["W1"].ravel(), p["W2"].ravel()], bins=bins, stacked=True,
             label=[f"W1 {p['W1'].shape}", f"W2 {p['W2'].shape}"],
             color=["steelblue", "darkorange"])
    ax2.set(xlabel="weight value", ylabel="count",
            title=f"weights: max |w| = {top:.3g}, ||W||_F² = {np.sum(w ** 2):.4g}")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def l2_sweep_figure(grid=L2_GRID, hidden=L2_HIDDEN):
    """||W1||² + ||W2||² and the train / test accuracy over the whole grid of lambda values."""
    fits = [l2_fit(lam, hidden) for lam in grid]
    sq = [sum(float(np.sum(f["params"][k] ** 2)) for k in ("W1", "W2")) for f in fits]
    fig = Figure(figsize=(10, 3.4))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(grid, sq, "o-")
    ax1.set_xscale("symlog", linthresh=1e-3)
    ax1.set_yscale("symlog", linthresh=1.0)
    ax1.set(xlabel="λ (0, then a log scale)", ylabel="||W1||_F² + ||W2||_F²",
            title="the penalty shrinks the weights")
    ax2.plot(grid, [f["train_acc"] for f in fits], "o-", label="train")
    ax2.plot(grid, [f["test_acc"] for f in fits], "s-", label="test")
    ax2.set_xscale("symlog", linthresh=1e-3)
    ax2.set(xlabel="λ (0, then a log scale)", ylabel="accuracy", ylim=(0.45, 1.02),
            title="too little: overfitting; too much: underfitting")
    ax2.legend()
    fig.tight_layout()
    return fig


def l2_sweep(grid=L2_GRID, hidden=L2_HIDDEN):
    """Show l2_sweep_figure (the norms and accuracies over the whole grid) as an image."""
    _show_png(l2_sweep_figure(grid, hidden))


def l2_explorer(l2_penalty=None, hidden=L2_HIDDEN):
    """A slider over lambda for a ReLU net fitted by scikit-learn on the moons: the decision
    boundary, the weights, their norms, and (if given) your l2_penalty of the fitted weights."""
    import ipywidgets as w

    options = [(f"{lam:g}", lam) for lam in L2_GRID]
    slider = w.SelectionSlider(options=options, value=L2_GRID[0], description="λ",
                               continuous_update=False)
    out = w.Output()

    def draw(_=None):
        with out:
            out.clear_output(wait=True)
            _show_png(l2_explorer_figure(slider.value, hidden))
            print("\n".join(l2_explorer_text(slider.value, l2_penalty, hidden)))

    slider.observe(draw, names="value")
    draw()
    return w.VBox([w.HTML("MLPClassifier(hidden_layer_sizes=(%d,), activation='relu', "
                          "alpha=λ, solver='lbfgs', random_state=0) on make_moons" % hidden),
                   slider, out])


# ------------------------------------------------------------------------- 03 ReLU mask
#: The explorer's small batch: m = 6 samples, 10 hidden units, pre-activations on a grid of
#: halves (so that some are exactly 0 whenever the shift is a multiple of 0.5), and a fixed
#: upstream gradient dA1.
_RELU_RNG = np.random.default_rng(3)
RELU_H0 = _RELU_RNG.integers(-4, 5, size=(6, 10)) / 2.0
RELU_DA1 = np.round(_RELU_RNG.normal(size=(6, 10)) * 0.1, 2)


def _checked(value, name, shape):
    """value as a float array of the given shape, or None with a printed note."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        print(f"`{name}` returned {type(value).__name__}, not an array of numbers.")
        return None
    if arr.shape != shape:
        print(f"`{name}` returned an array of shape {arr.shape}; expected H1's shape {shape}.")
        return None
    return arr


def relu_mask_explorer_text(relu_mask, shift, H0=RELU_H0):
    """One line about the mask at this shift: active units and what happens at the ties."""
    H1 = H0 + shift
    M = _checked(_call(relu_mask, H1), "relu_mask", H1.shape)
    if M is None:
        return None
    ties = H1 == 0
    line = (f"shift = {shift:+.2f}: {int(M.sum())} of {M.size} units active "
            f"({M.mean():.0%}); {int(ties.sum())} entries of H1 are exactly 0")
    if ties.any():
        at_ties = M[ties]
        line += (": your mask gives them 0 ✓ (no gradient through a unit at exactly 0)"
                 if np.all(at_ties == 0) else
                 f": your mask gives {int(np.sum(at_ties != 0))} of them a nonzero value ✗ "
                 f"(the course uses [H1 > 0], so a tie gets 0)")
    return line


def relu_mask_explorer_figure(relu, relu_mask, shift, H0=RELU_H0, dA1=RELU_DA1):
    """H1 = H0 + shift for a small batch: H1, your ReLU(H1), your mask [H1 > 0], the upstream
    gradient dA1, the gated gradient dH1 = dA1 * mask and the fraction of samples for which
    each hidden unit is active."""
    H1 = H0 + shift
    A1 = _checked(_call(relu, H1), "relu", H1.shape)
    M = _checked(_call(relu_mask, H1), "relu_mask", H1.shape)
    if A1 is None or M is None:
        return None
    dH1 = dA1 * M
    ties = np.argwhere(H1 == 0)
    fig = Figure(figsize=(11, 5.6))
    axes = fig.subplots(2, 3)
    hmax = float(np.abs(H0).max() + 2.0)
    gmax = float(np.abs(dA1).max())
    panels = [
        (H1, f"H1 = H0 {'+' if shift >= 0 else '-'} {abs(shift):.2f}", "RdBu_r", -hmax, hmax),
        (A1, "your relu(H1)", "Reds", 0.0, hmax),
        (M, f"your relu_mask(H1): {M.mean():.0%} active", "Greys", 0.0, 1.0),
        (dA1, "upstream gradient dA1", "PuOr", -gmax, gmax),
        (dH1, f"dH1 = dA1 * mask: {int(np.sum(dH1 != 0))} of {dH1.size} pass", "PuOr",
         -gmax, gmax),
    ]
    for ax, (data, title, cmap, lo, hi) in zip(axes.ravel(), panels):
        im = ax.imshow(data, cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
        if len(ties):
            ax.scatter(ties[:, 1], ties[:, 0], marker="o", s=40, facecolors="none",
                       edgecolors="limegreen", linewidths=1.5)
        ax.set(title=title, xlabel="hidden unit", ylabel="sample", xticks=range(H1.shape[1]),
               yticks=range(H1.shape[0]))
        ax.tick_params(labelsize=7)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    ax = axes[1, 2]
    ax.bar(np.arange(H1.shape[1]), M.mean(axis=0), color="dimgray")
    ax.set(ylim=(0, 1.05), xlabel="hidden unit", ylabel="fraction of samples active",
           title="active units", xticks=range(H1.shape[1]))
    ax.tick_params(labelsize=7)
    if len(ties):
        fig.suptitle(f"green circles: the {len(ties)} entries where H1 is exactly 0 (ties)",
                     fontsize=10)
    fig.tight_layout()
    return fig


def relu_mask_explorer(relu, relu_mask):
    """A slider that shifts the pre-activations H1 of a small batch, drawn with your relu and
    relu_mask: which units are active, and how the mask gates the upstream gradient dA1."""
    import ipywidgets as w

    slider = w.FloatSlider(value=0.0, min=-2.0, max=2.0, step=0.25, description="shift",
                           continuous_update=False)
    out = w.Output()

    def draw(_=None):
        with out:
            out.clear_output(wait=True)
            fig = relu_mask_explorer_figure(relu, relu_mask, slider.value)
            if fig is not None:
                _display(fig)
                print(relu_mask_explorer_text(relu_mask, slider.value))

    slider.observe(draw, names="value")
    draw()
    return w.VBox([w.HTML("H1 = H0 + shift for 6 samples and 10 hidden units (H0 on a grid "
                          "of halves: multiples of 0.5 give exact zeros)"), slider, out])


# --------------------------------------------------------------------- 06 training dashboard
#: The dashboard's choices. lam = 0 is "no penalty"; the rest grow by about x3.
DASHBOARD_LAMS = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
DASHBOARD_LRS = (0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5)
DASHBOARD_BATCHES = (1, 8, 16, 32, 64, 128, 256)
DASHBOARD_HIDDEN = (16, 32, 64, 128, 256, 512)


def _he_params(n, H, K, seed):
    """Weights drawn from N(0, 2 / fan_in) (He), zero biases."""
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0.0, np.sqrt(2.0 / n), size=(n, H))
    W2 = rng.normal(0.0, np.sqrt(2.0 / H), size=(H, K))
    return {"W1": W1, "b1": np.zeros(H), "W2": W2, "b2": np.zeros(K)}


def _attempt(fn, *args):
    """fn(*args), or None with a printed note naming the function that is not written yet (the
    innermost one: a given wrapper around your train names train) or that raised."""
    import traceback

    try:
        return fn(*args)
    except NotImplementedError as err:
        frames = traceback.extract_tb(err.__traceback__)
        name = frames[-1].name if len(frames) > 1 else getattr(fn, "__name__", "it")
        print(f"Implement `{name}` above to see this.")
    except Exception as err:  # noqa: BLE001 - show the student's error without failing the cell
        print(f"`{getattr(fn, '__name__', 'your function')}` raised {type(err).__name__}: {err}")
    return None


def training_run(train, predict, accuracy, data, init_params=None, *, lam=1.0, lr=0.1,
                 epochs=10, batch_size=32, hidden=64, seed=0, n_train=None, verbose=True):
    """Train a fresh network with YOUR train, then measure it with your predict and accuracy.

    data: a Digits (course.data.load_usps()). init_params(n, H, K, seed) makes the starting
    params (default: He initialisation). n_train: train on the first n_train images only.
    Returns a dict with "params", "history", "seconds", "y_pred" (on the test set) and
    "test_acc", or None, with a printed note, when one of your functions is not written yet or
    raises. A missing predict or accuracy only leaves "y_pred" / "test_acc" as None.
    """
    X = np.asarray(data.X_train)[:n_train]
    y = np.asarray(data.y_train)[:n_train]
    K = int(max(np.max(data.y_train), np.max(data.y_test))) + 1
    params = _attempt(init_params or _he_params, X.shape[1], int(hidden), K, int(seed))
    if params is None:
        return None
    import time

    start = time.perf_counter()
    history = _attempt(train, params, X, y, float(lam), float(lr), int(epochs), int(batch_size),
                    int(seed))
    seconds = time.perf_counter() - start
    if history is None:
        return None
    if not isinstance(history, dict) or "loss" not in history or "acc" not in history:
        print("`train` should return a dict with the lists 'loss' and 'acc'.")
        return None
    run = {"params": params, "history": history, "seconds": seconds, "y_pred": None,
           "test_acc": None,
           "settings": dict(lam=lam, lr=lr, epochs=epochs, batch_size=batch_size,
                            hidden=hidden, seed=seed, n_train=len(y))}
    y_pred = _attempt(predict, params, data.X_test)
    if y_pred is not None:
        run["y_pred"] = np.asarray(y_pred)
        acc = _attempt(accuracy, y_pred, data.y_test)
        run["test_acc"] = None if acc is None else float(acc)
    if verbose:
        print(training_summary(run))
    return run


def training_summary(run):
    """One line: the settings, the time, the final training loss/accuracy, the test accuracy."""
    s, h = run["settings"], run["history"]
    loss, acc = (list(h["loss"]) or [np.nan])[-1], (list(h["acc"]) or [np.nan])[-1]
    test = "n/a" if run["test_acc"] is None else f"{run['test_acc']:.2%}"
    return (f"H={s['hidden']}, lam={s['lam']:g}, lr={s['lr']:g}, {s['epochs']} epochs, "
            f"batch {s['batch_size']}, {s['n_train']} images: {run['seconds']:.1f} s, "
            f"final J={float(loss):.4f}, training accuracy {float(acc):.2%}, test accuracy {test}")


def training_run_figure(run):
    """The run's learning curves, with the test accuracy as a dashed line."""
    from .plots import plot_learning_curves

    try:
        fig = plot_learning_curves(run["history"], title=training_summary(run).split(": ")[0])
    except (ValueError, TypeError) as err:
        print(f"Cannot draw this history: {err}")
        return None
    if run["test_acc"] is not None:
        ax = fig.axes[1]
        ax.axhline(run["test_acc"], color="crimson", ls="--",
                   label=f"test {run['test_acc']:.1%}")
        ax.legend()
    return fig


def training_dashboard(train, predict, accuracy, data, init_params=None):
    """Controls for lam, the learning rate, the epochs, the batch size and the hidden size, and a
    Train button that trains a fresh network with YOUR train and draws its learning curves and
    test accuracy. Every run is added to a table below, to compare settings."""
    import ipywidgets as w

    style = {"description_width": "110px"}
    lam = w.SelectionSlider(options=DASHBOARD_LAMS, value=1.0, description="λ", style=style)
    lr = w.SelectionSlider(options=DASHBOARD_LRS, value=0.1, description="learning rate",
                           style=style)
    epochs = w.IntSlider(value=5, min=1, max=30, description="epochs", style=style)
    batch = w.Dropdown(options=DASHBOARD_BATCHES, value=32, description="batch size",
                       style=style)
    hidden = w.Dropdown(options=DASHBOARD_HIDDEN, value=64, description="hidden units H",
                        style=style)
    seed = w.IntText(value=0, description="seed", style=style)
    button = w.Button(description="Train", icon="play", button_style="primary")
    out, table = w.Output(), w.Output()
    runs = []

    def on_train(_=None):
        button.disabled = True
        try:
            with out:
                out.clear_output(wait=True)
                print("training ...")
                run = training_run(train, predict, accuracy, data, init_params, lam=lam.value,
                                   lr=lr.value, epochs=epochs.value, batch_size=batch.value,
                                   hidden=hidden.value, seed=seed.value, verbose=False)
                if run is None:  # the note saying why is printed above
                    return
                out.clear_output(wait=True)
                print(training_summary(run))
                fig = training_run_figure(run)
                if fig is not None:
                    _show_png(fig)
            runs.append(run)
            with table:
                table.clear_output(wait=True)
                print("earlier runs:")
                for r in runs[-10:]:
                    print("  " + training_summary(r))
        finally:
            button.disabled = False

    button.on_click(on_train)
    note = w.HTML(f"Each run starts from fresh weights and trains on all {len(data.y_train)} "
                  f"training images with your <code>train</code>; the test accuracy uses your "
                  f"<code>predict</code> and <code>accuracy</code>. A few seconds per epoch at "
                  f"most.")
    return w.VBox([note, w.HBox([w.VBox([lam, lr, epochs]), w.VBox([batch, hidden, seed])]),
                   button, out, table])
