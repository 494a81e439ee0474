"""Interactive figures for the notebooks (ipywidgets + matplotlib).

Each function takes the student's own functions, builds its widgets and returns them (the
notebook shows them as the cell's value). If a student function is not written yet, the
widget says so instead of failing, so that illustration cells always run.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from course.i18n import N_, _
from course.plots import use_cjk_fonts  # noqa: F401 - importing course.plots sets up CJK fonts


def _call(fn, *args):
    """fn(*args), or None with a printed note if fn is not implemented yet or raises."""
    try:
        return fn(*args)
    except NotImplementedError:
        print(_("Implement `{name}` above to see this.").format(
            name=_named(fn, N_("the function"))))
    except Exception as err:  # noqa: BLE001 - show the student's error without failing the cell
        _raised(fn, err)
    return None


def _named(fn, fallback):
    """fn's name, or the (translated) fallback when it has none."""
    name = getattr(fn, "__name__", None)
    return _(fallback) if name is None else name


def _raised(fn, err):
    """Print what the student's function fn raised."""
    print(_("`{name}` raised {error_type}: {error}").format(
        name=_named(fn, N_("your function")), error_type=type(err).__name__, error=err))


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
    ax.set(ylim=(0, 1.1), xticks=classes, xlabel=_("class $k$"),
           ylabel=r"$\mathrm{softmax}(z_2/T)_k$",
           title=_("T = {T:g}: largest probability {largest:.2f}, entropy {entropy:.2f} nats")
           .format(T=T, largest=p.max(), entropy=entropy))
    fig.tight_layout()
    return fig


def softmax_temperature(softmax, logits=TEMPERATURE_LOGITS):
    """A slider for T in softmax(z2 / T), drawn with the student's softmax."""
    import ipywidgets as w

    slider = w.SelectionSlider(options=[(f"{T:g}", T) for T in TEMPERATURES], value=1.0,
                               description="T", continuous_update=True)
    out = w.Output()

    def draw(_change=None):
        out.clear_output(wait=True)
        with out:
            fig = softmax_temperature_figure(softmax, slider.value, logits)
            if fig is not None:
                _display(fig)

    slider.observe(draw, names="value")
    draw()
    z2 = ", ".join(f"{v:g}" for v in logits)
    return w.VBox([w.HTML(_("logits z<sub>2</sub> = ({z2})").format(z2=z2)), slider, out])


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

    X, y, _X_test, _y_test = _l2_moons()
    return float(fit["clf"].loss_ - log_loss(y, fit["clf"].predict_proba(X)))


def l2_explorer_text(lam, l2_penalty=None, hidden=L2_HIDDEN):
    """The numbers shown under the explorer's figure, as short lines of text."""
    fit = l2_fit(lam, hidden)
    p = fit["params"]
    n1, n2 = np.linalg.norm(p["W1"]), np.linalg.norm(p["W2"])
    lines = [f"λ = {lam:g}, m = {fit['m']}",
             f"‖W1‖_F = {n1:.4g}, ‖W2‖_F = {n2:.4g}, "
             f"‖W1‖_F² + ‖W2‖_F² = {n1 ** 2 + n2 ** 2:.4g}",
             _("accuracy: train {train:.3f}, 1,000 fresh points {test:.3f}").format(
                 train=fit["train_acc"], test=fit["test_acc"])]
    if l2_penalty is not None:
        mine = _call(l2_penalty, p, lam, fit["m"])
        if mine is not None:
            theirs = _sklearn_penalty(fit)
            try:
                mine = float(np.asarray(mine, dtype=float))
            except (TypeError, ValueError):
                lines.append(_("your l2_penalty returned {type}, not a number").format(
                    type=type(mine).__name__))
                return lines
            agree = np.isclose(mine, theirs, rtol=1e-4, atol=1e-7)
            lines += [_("your l2_penalty(params, {lam:g}, {m}) = {value:.6g}").format(
                          lam=lam, m=fit["m"], value=mine),
                      (_("scikit-learn's penalty term = {value:.6g}  ✓ they agree") if agree
                       else _("scikit-learn's penalty term = {value:.6g}  ✗ they differ"))
                      .format(value=theirs)]
    return lines


def l2_explorer_figure(lam, hidden=L2_HIDDEN):
    """Decision boundary and histogram of the weights of the net fitted with penalty lam."""
    fit = l2_fit(lam, hidden)
    X, y, _X_test, _y_test = _l2_moons()
    clf, p = fit["clf"], fit["params"]
    fig = Figure(figsize=(10, 3.8))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    lo, hi = X.min(axis=0) - 0.6, X.max(axis=0) + 0.6
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
    prob = clf.predict_proba(np.column_stack([g0.ravel(), g1.ravel()]))[:, 1].reshape(g0.shape)
    ax1.contourf(g0, g1, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6)
    ax1.contour(g0, g1, prob, levels=[0.5], colors="k", linewidths=1.5)
    ax1.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=22)
    ax1.set(xticks=[], yticks=[],
            title=_("λ = {lam:g}: accuracy {train:.2f} on the training points, {test:.2f} on "
                    "fresh ones").format(lam=lam, train=fit["train_acc"], test=fit["test_acc"]))
    w = np.concatenate([p["W1"].ravel(), p["W2"].ravel()])
    top = max(float(np.abs(w).max()), 1e-3)
    bins = np.linspace(-top, top, 41)
    ax2.hist([p["W1"].ravel(), p["W2"].ravel()], bins=bins, stacked=True,
             label=[f"W1 {p['W1'].shape}", f"W2 {p['W2'].shape}"],
             color=["steelblue", "darkorange"])
    ax2.set(xlabel=_("weight value"), ylabel=_("count"),
            title=_("weights: max $|w|$ = {top:.3g}, $\\|W_1\\|_F^2 + \\|W_2\\|_F^2$ = "
                    "{squares:.4g}").format(top=top, squares=np.sum(w ** 2)))
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
    ax1.set(xlabel=_("λ (0, then a log scale)"), ylabel=r"$\|W_1\|_F^2 + \|W_2\|_F^2$",
            title=_("the penalty shrinks the weights"))
    ax2.plot(grid, [f["train_acc"] for f in fits], "o-", label=_("the 60 training points"))
    ax2.plot(grid, [f["test_acc"] for f in fits], "s-", label=_("1,000 fresh points"))
    ax2.set_xscale("symlog", linthresh=1e-3)
    ax2.set(xlabel=_("λ (0, then a log scale)"), ylabel=_("accuracy"), ylim=(0.45, 1.02),
            title=_("too little: overfitting; too much: underfitting"))
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

    def draw(_change=None):
        with out:
            out.clear_output(wait=True)
            _show_png(l2_explorer_figure(slider.value, hidden))
            print("\n".join(l2_explorer_text(slider.value, l2_penalty, hidden)))

    slider.observe(draw, names="value")
    draw()
    return w.VBox([w.HTML(_("MLPClassifier(hidden_layer_sizes=({hidden},), activation='relu', "
                            "alpha=λ, solver='lbfgs', random_state=0) on make_moons")
                          .format(hidden=int(hidden))),
                   slider, out])


# ------------------------------------------------------------------------- 03 ReLU mask
#: The explorer's small batch: m = 6 samples, 10 hidden units, pre-activations on a grid of
#: halves (so that some are exactly 0 whenever the shift is a multiple of 0.5), and a fixed
#: upstream gradient dA1.
_RELU_RNG = np.random.default_rng(3)
RELU_Z0 = _RELU_RNG.integers(-4, 5, size=(6, 10)) / 2.0
RELU_DA1 = np.round(_RELU_RNG.normal(size=(6, 10)) * 0.1, 2)


def _checked(value, name, shape):
    """value as a float array of the given shape, or None with a printed note."""
    if value is None:
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        print(_("`{name}` returned {type}, not an array of numbers.").format(
            name=name, type=type(value).__name__))
        return None
    if arr.shape != shape:
        print(_("`{name}` returned an array of shape {shape}; expected Z1's shape {expected}.")
              .format(name=name, shape=arr.shape, expected=shape))
        return None
    return arr


def relu_mask_explorer_text(relu_mask, shift, Z0=RELU_Z0):
    """One line about the mask at this shift: active units and what happens at the ties."""
    Z1 = Z0 + shift
    M = _checked(_call(relu_mask, Z1), "relu_mask", Z1.shape)
    if M is None:
        return None
    ties = Z1 == 0
    line = _("shift {shift:+.2f}: {active} of {units} units active ({fraction:.0%}); {ties} "
             "entries of Z1 are exactly 0").format(shift=shift, active=int(M.sum()), units=M.size,
                                                   fraction=M.mean(), ties=int(ties.sum()))
    if ties.any():
        at_ties = M[ties]
        line = (_("{line}: your mask gives them 0 ✓").format(line=line) if np.all(at_ties == 0)
                else _("{line}: your mask gives {count} of them a nonzero slope ✗ (a tie gets 0 "
                       "in this course)").format(line=line, count=int(np.sum(at_ties != 0))))
    return line


def relu_mask_explorer_figure(relu_forward, relu_mask, relu_backward, shift, Z0=RELU_Z0,
                              dA1=RELU_DA1):
    """Z1 = Z0 + shift for a small batch: Z1, your relu_forward(Z1), your relu_mask(Z1), the
    upstream gradient dA1, your relu_backward(dA1, Z1) and the fraction of samples for which
    each hidden unit is active."""
    Z1 = Z0 + shift
    A1 = _checked(_call(relu_forward, Z1), "relu_forward", Z1.shape)
    M = _checked(_call(relu_mask, Z1), "relu_mask", Z1.shape)
    dZ1 = _checked(_call(relu_backward, dA1, Z1), "relu_backward", Z1.shape)
    if A1 is None or M is None or dZ1 is None:
        return None
    ties = np.argwhere(Z1 == 0)
    fig = Figure(figsize=(11, 5.6))
    axes = fig.subplots(2, 3)
    zmax = float(np.abs(Z0).max() + 2.0)
    gmax = float(np.abs(dA1).max())
    panels = [
        (Z1, f"Z1 = Z0 {'+' if shift >= 0 else '−'} {abs(shift):.2f}", "RdBu_r", -zmax, zmax),
        (A1, "A1 = relu_forward(Z1)", "Reds", 0.0, zmax),
        (M, _("relu_mask(Z1): {fraction:.0%} active").format(fraction=M.mean()), "Greys", 0.0,
         1.0),
        (dA1, _("upstream gradient dA1"), "PuOr", -gmax, gmax),
        (dZ1, _("dZ1 = relu_backward(dA1, Z1): {nonzero} of {size} nonzero").format(
            nonzero=int(np.sum(dZ1 != 0)), size=dZ1.size), "PuOr", -gmax, gmax),
    ]
    for ax, (data, title, cmap, lo, hi) in zip(axes.ravel(), panels):
        im = ax.imshow(data, cmap=cmap, vmin=lo, vmax=hi, aspect="auto")
        if len(ties):
            ax.scatter(ties[:, 1], ties[:, 0], marker="o", s=40, facecolors="none",
                       edgecolors="limegreen", linewidths=1.5)
        ax.set_title(title, fontsize=9.5)
        ax.set(xlabel=_("hidden unit"), ylabel=_("sample"), xticks=range(Z1.shape[1]),
               yticks=range(Z1.shape[0]))
        ax.tick_params(labelsize=7)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    ax = axes[1, 2]
    ax.bar(np.arange(Z1.shape[1]), M.mean(axis=0), color="dimgray")
    ax.set_title(_("active units"), fontsize=9.5)
    ax.set(ylim=(0, 1.05), xlabel=_("hidden unit"), ylabel=_("fraction of samples active"),
           xticks=range(Z1.shape[1]))
    ax.tick_params(labelsize=7)
    if len(ties):
        fig.suptitle(_("green circles: the {count} entries where Z1 is exactly 0 (ties)")
                     .format(count=len(ties)), fontsize=10)
    fig.tight_layout()
    return fig


def relu_mask_explorer(relu_forward, relu_mask, relu_backward):
    """A slider that shifts the pre-activations Z1 of a small batch, drawn with your
    relu_forward, relu_mask and relu_backward: which units are active, and how the backward
    pass gates the upstream gradient dA1."""
    import ipywidgets as w

    slider = w.FloatSlider(value=0.0, min=-2.0, max=2.0, step=0.25, description=_("shift"),
                           readout_format="+.2f", continuous_update=False)
    out = w.Output()

    def draw(_change=None):
        with out:
            out.clear_output(wait=True)
            fig = relu_mask_explorer_figure(relu_forward, relu_mask, relu_backward,
                                            slider.value)
            if fig is not None:
                _display(fig)
                print(relu_mask_explorer_text(relu_mask, slider.value))

    slider.observe(draw, names="value")
    draw()
    return w.VBox([w.HTML(_("Z1 = Z0 + shift for 6 samples and 10 hidden units (Z0 on a grid "
                            "of halves: a shift that is a multiple of 0.5 gives exact zeros)")),
                   slider, out])


# --------------------------------------------------------------------- 06 training dashboard
#: The dashboard's choices. lam = 0 is "no penalty"; the rest grow by about x3.
DASHBOARD_LAMS = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
DASHBOARD_LRS = (0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5)
DASHBOARD_BATCHES = (1, 8, 16, 32, 64, 128, 256)
DASHBOARD_HIDDEN = (16, 32, 64, 128, 256, 512)


def _attempt(fn, *args):
    """fn(*args), or None with a printed note naming the function that is not written yet (the
    innermost one: a given wrapper around your train names train) or that raised."""
    import traceback

    try:
        return fn(*args)
    except NotImplementedError as err:
        if type(err).__name__ == "EarlierWorkMissing":
            print(err)
            return None
        frames = traceback.extract_tb(err.__traceback__)
        name = frames[-1].name if len(frames) > 1 else _named(fn, N_("it"))
        print(_("Implement `{name}` above to see this.").format(name=name))
    except Exception as err:  # noqa: BLE001 - show the student's error without failing the cell
        _raised(fn, err)
    return None


def training_run(train, predict, accuracy, X, y, X_val, y_val, init_params=None, *, lam=1.0,
                 lr=0.1, epochs=10, batch_size=32, hidden=64, seed=0, cosine=False,
                 max_shift=0, progress=None, verbose=True):
    """Train a fresh network with YOUR train on (X, y), one epoch at a time, and measure it on
    the validation set (X_val, y_val) after every epoch with your predict and accuracy.

    cosine: let the learning rate of epoch e fall along a half cosine, lr (1 + cos(pi e / E)) / 2.
    max_shift: train each epoch on the images shifted by up to this many pixels (new shifts
    every epoch; course.training.shift_images).

    init_params(n, H, K, seed) makes the starting params (default: course.training's He
    initialisation). progress(epoch, epochs, run) is called after each epoch (the dashboard
    shows it). Returns a dict with "params", "history" ("loss", "acc" and "val_acc" per epoch),
    "seconds", "y_pred" (on the validation set) and "val_acc", or None, with a printed note,
    when one of your functions is not written yet or raises. A missing predict or accuracy only
    leaves the validation numbers as None.
    """
    import time

    from course.training import init_params as he_params
    from course.training import shift_images

    X, y = np.asarray(X), np.asarray(y)
    K = int(max(np.max(y), np.max(y_val))) + 1
    params = _attempt(init_params or he_params, X.shape[1], int(hidden), K, int(seed))
    if params is None:
        return None
    run = {"params": params, "history": {"loss": [], "acc": [], "val_acc": []},
           "seconds": 0.0, "y_pred": None, "val_acc": None,
           "settings": dict(lam=lam, lr=lr, epochs=epochs, batch_size=batch_size,
                            hidden=hidden, seed=seed, m=len(y), cosine=cosine,
                            max_shift=max_shift)}
    shifts = np.random.default_rng(seed)
    start = time.perf_counter()
    for epoch in range(int(epochs)):
        # one epoch at a time (a new shuffle from seed + epoch): the curves grow as it trains
        lr_e = 0.5 * lr * (1 + np.cos(np.pi * epoch / epochs)) if cosine else lr
        X_e = shift_images(X, shifts, max_shift) if max_shift else X
        h = _attempt(train, params, X_e, y, float(lam), float(lr_e), 1, int(batch_size),
                     int(seed) + epoch)
        if h is None:
            return None
        if not isinstance(h, dict) or "loss" not in h or "acc" not in h:
            print(_("`train` should return a dict with the lists 'loss' and 'acc'."))
            return None
        run["history"]["loss"] += list(h["loss"])[-1:]
        run["history"]["acc"] += list(h["acc"])[-1:]
        y_pred = _attempt(predict, params, X_val)
        acc = None if y_pred is None else _attempt(accuracy, y_pred, y_val)
        if acc is not None:
            run["y_pred"], run["val_acc"] = np.asarray(y_pred), float(acc)
            run["history"]["val_acc"].append(float(acc))
        run["seconds"] = time.perf_counter() - start
        if progress is not None:
            progress(epoch + 1, int(epochs), run)
    if not run["history"]["val_acc"]:
        del run["history"]["val_acc"]
    if verbose:
        print(training_summary(run))
    return run


def training_summary(run):
    """Two short lines: the settings, then the time and the accuracies (none wraps)."""
    s, h = run["settings"], run["history"]
    loss = (list(h["loss"]) or [np.nan])[-1]
    acc = (list(h["acc"]) or [np.nan])[-1]
    val = _("n/a") if run["val_acc"] is None else f"{run['val_acc']:.2%}"
    recipe = (_(", cosine lr") if s.get("cosine") else "") + \
        (_(", shifts ±{pixels}").format(pixels=s["max_shift"]) if s.get("max_shift") else "")
    return (_("H = {hidden}, λ = {lam:g}, lr = {lr:g}{recipe}, batch {batch_size}, {epochs} "
              "epochs").format(hidden=s["hidden"], lam=s["lam"], lr=s["lr"], recipe=recipe,
                               batch_size=s["batch_size"], epochs=s["epochs"])
            + "\n  " + _("{seconds:.1f} s · J = {loss:.4f} · training accuracy {acc:.2%} · "
                         "validation accuracy {val}").format(
                seconds=run["seconds"], loss=float(loss), acc=float(acc), val=val))


def training_run_figure(run):
    """The run's learning curves: J, and the training and validation accuracy, per epoch."""
    from .plots import plot_learning_curves

    s = run["settings"]
    try:
        return plot_learning_curves(run["history"], title=_(
            "H = {hidden}, λ = {lam:g}, lr = {lr:g}, batch {batch_size}").format(
                hidden=s["hidden"], lam=s["lam"], lr=s["lr"], batch_size=s["batch_size"]))
    except (ValueError, TypeError) as err:
        print(_("Cannot draw this history: {error}").format(error=err))
        return None


def sweep_figure(train, predict, accuracy, X, y, X_val, y_val, init_params=None, *,
                 lams=(0.0, 1.0, 3.0, 10.0, 30.0, 100.0), hiddens=(8, 16, 32, 64, 128, 256),
                 fixed_hidden=128, fixed_lam=3.0, **settings):
    """Train one small network per value of lam (at fixed_hidden units), then per hidden size
    (at fixed_lam), and draw their training and validation accuracies side by side."""
    from .plots import PlotFigure

    results = []
    for name, values, fixed in (("lam", lams, dict(hidden=fixed_hidden)),
                                ("hidden", hiddens, dict(lam=fixed_lam))):
        train_accs, val_accs = [], []
        for v in values:
            r = training_run(train, predict, accuracy, X, y, X_val, y_val, init_params,
                             verbose=False, **{**settings, **fixed, name: v})
            if r is None or r["val_acc"] is None:
                return None
            train_accs.append(r["history"]["acc"][-1])
            val_accs.append(r["val_acc"])
        results.append((values, train_accs, val_accs))
    fig = PlotFigure(figsize=(10, 3.6))
    axes = fig.subplots(1, 2)
    labels = (f"λ (H = {fixed_hidden})",
              _("hidden units H (λ = {lam:g})").format(lam=fixed_lam))
    for ax, (values, tr, va), label in zip(axes, results, labels):
        x = np.arange(len(values))
        ax.plot(x, tr, "o-", label=_("training accuracy"))
        ax.plot(x, va, "s-", label=_("validation accuracy"))
        ax.set(xticks=x, xticklabels=[f"{v:g}" for v in values], xlabel=label,
               ylabel=_("accuracy"), ylim=(0.7, 1.01))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower center")
    fig.tight_layout()
    return fig


def training_dashboard(train, predict, accuracy, X, y, X_val, y_val, init_params=None):
    """Controls for lam, the learning rate, the epochs, the batch size and the hidden size, and a
    Train button that trains a fresh network with YOUR train, epoch by epoch (the progress shows
    as it goes), and draws its learning curves with the validation accuracy. The earlier runs
    are listed below, to compare settings."""
    import ipywidgets as w

    style = {"description_width": "110px"}
    lam = w.SelectionSlider(options=DASHBOARD_LAMS, value=1.0, description="λ", style=style)
    lr = w.SelectionSlider(options=DASHBOARD_LRS, value=0.1, description=_("learning rate"),
                           style=style)
    epochs = w.IntSlider(value=5, min=1, max=30, description=_("epochs"), style=style)
    batch = w.Dropdown(options=DASHBOARD_BATCHES, value=32, description=_("batch size"),
                       style=style)
    hidden = w.Dropdown(options=DASHBOARD_HIDDEN, value=64, description=_("hidden units H"),
                        style=style)
    seed = w.IntText(value=0, description=_("seed"), style=style)
    button = w.Button(description=_("Train"), icon="play", button_style="primary")
    bar = w.IntProgress(value=0, min=0, max=1, description="", layout=w.Layout(width="300px"))
    status = w.Label("")
    out, table = w.Output(), w.Output()
    runs = []

    def progress(epoch, total, run):
        bar.max, bar.value = total, epoch
        val = run["val_acc"]
        status.value = _("epoch {epoch} of {total} · {seconds:.1f} s · validation accuracy "
                         "{val}").format(epoch=epoch, total=total, seconds=run["seconds"],
                                         val=_("n/a") if val is None else f"{val:.2%}")

    def on_train(_click=None):
        button.disabled = True
        bar.value, status.value = 0, _("training ...")
        try:
            run = training_run(train, predict, accuracy, X, y, X_val, y_val, init_params,
                               lam=lam.value, lr=lr.value, epochs=epochs.value,
                               batch_size=batch.value, hidden=hidden.value, seed=seed.value,
                               progress=progress, verbose=False)
            with out:
                out.clear_output(wait=True)
                if run is None:  # the note saying why is printed by training_run
                    status.value = _("stopped: see the note below")
                    return
                print(training_summary(run))
                fig = training_run_figure(run)
                if fig is not None:
                    _show_png(fig)
            if runs:
                with table:
                    table.clear_output(wait=True)
                    print(_("earlier runs, latest first:"))
                    for r in reversed(runs[-8:]):
                        print(training_summary(r))
            runs.append(run)
        finally:
            button.disabled = False

    button.on_click(on_train)
    note = w.HTML(_("Each run starts from fresh weights, trains on the {m} training images "
                    "with your <code>train</code> (one call per epoch), and measures the "
                    "{m_val} validation images with your <code>predict</code> and "
                    "<code>accuracy</code>. The test set stays untouched.").format(
                        m=len(y), m_val=len(y_val)))
    return w.VBox([note, w.HBox([w.VBox([lam, lr, epochs]), w.VBox([batch, hidden, seed])]),
                   w.HBox([button, bar, status]), out, table])


def sklearn_run(X, y, X_val, y_val, *, hidden=256, lam=1.0, lr=0.3, epochs=15, batch_size=32,
                seed=0):
    """The same network in scikit-learn (MLPClassifier, plain SGD, alpha = lam B / m), trained
    on (X, y) and measured on the validation set: {"val_acc", "seconds", "clf"}."""
    import time
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(int(hidden),), activation="relu", solver="sgd",
                        learning_rate="constant", learning_rate_init=lr, momentum=0.0,
                        nesterovs_momentum=False, batch_size=batch_size, max_iter=epochs,
                        alpha=lam * batch_size / len(y), shuffle=True, random_state=seed,
                        tol=0.0, n_iter_no_change=epochs + 1)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "maximum iterations reached": the epochs are our choice
        clf.fit(X, y)
    return {"val_acc": float(clf.score(X_val, y_val)), "seconds": time.perf_counter() - start,
            "clf": clf}
