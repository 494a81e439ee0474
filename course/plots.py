"""Pictures of digits, of training and of what the network learned.

Each function returns a matplotlib Figure (built without pyplot, so a notebook shows it exactly
once when it is the cell's last value, and scripts can save it with fig.savefig).

The figures' text is in the student's language (course.i18n). For Chinese, matplotlib falls back
on an installed CJK font for the characters its default font lacks (use_cjk_fonts, run on import).
"""
from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from course.i18n import N_, _

SIDE = 16

#: Fonts with Chinese characters, in order of preference: matplotlib draws with its default font
#: first and falls back on the first of these that is installed for characters the default lacks.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
             "Source Han Sans CN", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "SimHei", "Arial Unicode MS")
#: Parts of the file names of those fonts (to find one installed after matplotlib's font cache
#: was built, which matplotlib does not know about yet).
_CJK_FILES = ("wqy", "notosanscjk", "notosanssc", "sourcehansans", "msyh", "pingfang",
              "simhei", "arialuni")


def _installed_cjk_fonts():
    """The names of CJK_FONTS that matplotlib can use here, in order of preference (maybe none)."""
    from matplotlib import font_manager

    def known():
        return {f.name for f in font_manager.fontManager.ttflist}

    if not known() & set(CJK_FONTS):
        try:
            paths = font_manager.findSystemFonts()
        except Exception:  # noqa: BLE001 - no fonts found: English figures are fine without
            paths = []
        for path in paths:
            plain = os.path.basename(path).lower().replace("-", "").replace("_", "")
            if any(part in plain for part in _CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except Exception:  # noqa: BLE001 - an unreadable font file: skip it
                    continue
    names = known()
    return [name for name in CJK_FONTS if name in names]


def use_cjk_fonts():
    """Let matplotlib draw Chinese: after the families of rcParams["font.family"] (the default
    font first, so English looks as it always did), the installed CJK fonts, which matplotlib
    falls back on glyph by glyph. Nothing changes when none is installed. Returns the fonts added.

    (Text between $ signs is mathtext, which has no such fallback: a Chinese label keeps its
    characters outside any $...$.)"""
    import matplotlib

    try:
        fonts = _installed_cjk_fonts()
    except Exception:  # noqa: BLE001 - never keep a figure from being drawn
        return []
    family = matplotlib.rcParams["font.family"]
    family = [family] if isinstance(family, str) else list(family)
    added = [name for name in fonts if name not in family]
    if added:
        matplotlib.rcParams["font.family"] = family + added
    return added


use_cjk_fonts()


class PlotFigure(Figure):
    """A Figure that shows itself as a PNG in a notebook, whether or not pyplot was ever used
    there (a plain Figure shows as "<Figure size ...>" until the inline backend is loaded)."""

    def _repr_png_(self):
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=90)
        return buf.getvalue()


def _as_images(X, side=SIDE):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != side * side:
        raise ValueError(_("expected rows of {pixels} pixels, got an array of shape {shape}")
                         .format(pixels=side * side, shape=X.shape))
    return X.reshape(-1, side, side)


def _grid(n, cols):
    cols = max(1, min(cols, n))
    return int(np.ceil(n / cols)), cols


def show_digits(X, y=None, pred=None, n=32, cols=8, title=None):
    """The first n images of X (rows of 256 pixels) in a grid, labelled with y and pred."""
    n = min(n, len(X))
    if n == 0:
        raise ValueError(_("no images to show"))
    imgs = _as_images(X[:n])
    rows, cols = _grid(n, cols)
    fig = PlotFigure(figsize=(1.1 * cols, 1.25 * rows + (0.4 if title else 0)))
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(imgs[k], cmap="gray_r", vmin=-1, vmax=1)
        label = []
        if y is not None:
            label.append(f"{y[k]}")
        if pred is not None:
            label.append(f"→{pred[k]}")
        if label:
            wrong = pred is not None and y is not None and pred[k] != y[k]
            ax.set_title(" ".join(label), fontsize=9, color="crimson" if wrong else "black")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _shown(title):
    """A title in the student's language: a default of the library (marked with N_) is
    translated; any other text is shown as it is."""
    return _(title) if isinstance(title, str) and title else title


def plot_learning_curves(history, title=N_("Learning curves")):
    """Loss and accuracy per epoch from a training history dict.

    Uses the keys present among "loss", "val_loss", "acc" (training accuracy), "val_acc".
    """
    fig = PlotFigure(figsize=(10, 3.6))
    ax_loss, ax_acc = fig.subplots(1, 2)
    from matplotlib.ticker import MaxNLocator

    series = {"loss": (ax_loss, N_("training")), "val_loss": (ax_loss, N_("validation")),
              "acc": (ax_acc, N_("training")),
              "val_acc": (ax_acc, N_("validation"))}
    drawn = 0
    for key, (ax, label) in series.items():
        values = history.get(key)
        if values is None or len(values) == 0:
            continue
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, marker="o", ms=3, label=_(label))
        drawn += 1
    if drawn == 0:
        raise ValueError(_("history has none of {expected}; its keys are {keys}")
                         .format(expected=sorted(series), keys=sorted(history)))
    ax_loss.set(xlabel=_("epoch"), ylabel=_("loss J"), title=_("loss"))
    ax_acc.set(xlabel=_("epoch"), ylabel=_("accuracy"), title=_("accuracy"))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        if ax.lines:
            ax.legend()
    fig.suptitle(_shown(title))
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, n_classes=10, title=N_("Confusion matrix")):
    """Counts of (true digit, predicted digit); the diagonal holds the correct predictions."""
    from sklearn.metrics import confusion_matrix

    labels = np.arange(n_classes)
    C = confusion_matrix(y_true, y_pred, labels=labels)
    fig = PlotFigure(figsize=(5.6, 5))
    ax = fig.subplots()
    im = ax.imshow(C, cmap="Blues")
    fig.colorbar(im, ax=ax, fraction=0.046)
    for i in labels:
        for j in labels:
            if C[i, j]:
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if C[i, j] > C.max() / 2 else "black")
    ax.set(xticks=labels, yticks=labels, xlabel=_("predicted digit"), ylabel=_("true digit"),
           title=_("{title} (accuracy {accuracy:.1%})").format(
               title=_shown(title), accuracy=np.trace(C) / max(C.sum(), 1)))
    fig.tight_layout()
    return fig


def show_misclassified(X, y_true, y_pred, P=None, n=24, cols=8):
    """A gallery of misclassified images: 'true→predicted' (and the predicted probability)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    wrong = np.flatnonzero(y_true != y_pred)
    if P is not None:  # most confident mistakes first
        wrong = wrong[np.argsort(-np.asarray(P)[wrong, y_pred[wrong]])]
    if wrong.size == 0:
        fig = PlotFigure(figsize=(4, 1))
        fig.text(0.5, 0.5, _("no misclassified images"), ha="center", va="center")
        return fig
    wrong = wrong[:n]
    rows, cols = _grid(len(wrong), cols)
    fig = PlotFigure(figsize=(1.2 * cols, 1.4 * rows + 0.4))
    axes = fig.subplots(rows, cols, squeeze=False)
    imgs = _as_images(np.asarray(X)[wrong])
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= len(wrong):
            continue
        i = wrong[k]
        ax.imshow(imgs[k], cmap="gray_r", vmin=-1, vmax=1)
        extra = f" {np.asarray(P)[i, y_pred[i]]:.0%}" if P is not None else ""
        ax.set_title(f"{y_true[i]}→{y_pred[i]}{extra}", fontsize=9, color="crimson")
    fig.suptitle(_("{count} misclassified (true→predicted)").format(
        count=np.sum(y_true != y_pred)))
    fig.tight_layout()
    return fig


def show_first_layer_weights(W1, n=32, cols=8):
    """Columns of W1 (n_features, H) as 16x16 images: what each hidden unit responds to.

    Each image has its own symmetric colour scale: red is positive, blue negative weight.
    """
    W1 = np.asarray(W1, dtype=float)
    if W1.ndim != 2 or W1.shape[0] != SIDE * SIDE:
        raise ValueError(_("W1 should have shape (256, H), got {shape}").format(shape=W1.shape))
    n = min(n, W1.shape[1])
    # Show the units with the largest weights (the ones that learned the most).
    units = np.argsort(-np.linalg.norm(W1, axis=0))[:n]
    rows, cols = _grid(n, cols)
    fig = PlotFigure(figsize=(1.1 * cols, 1.15 * rows + 0.4))
    axes = fig.subplots(rows, cols, squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k >= n:
            continue
        w = W1[:, units[k]].reshape(SIDE, SIDE)
        lim = np.abs(w).max() or 1.0
        ax.imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(_("unit {unit}").format(unit=units[k]), fontsize=7)
    fig.suptitle(_("First-layer weights: {n} of {total} hidden units, as 16×16 images")
                 .format(n=n, total=W1.shape[1]))
    fig.tight_layout()
    return fig


def cross_entropy_curves():
    """02: the loss -log p of one sample against p, the probability of its correct class; and,
    on a log scale down to 1e-320, what an epsilon inside the log does to tiny p."""
    fig = PlotFigure(figsize=(11, 3.8))
    ax1, ax2 = fig.subplots(1, 2)
    p = np.linspace(1e-3, 1, 500)
    ax1.plot(p, -np.log(p), color="steelblue")
    for q, label, offset in [(0.5, "p = 0.5", (8, 10)),
                             (0.1, N_("uniform over 10 classes"), (10, 6))]:
        ax1.plot(q, -np.log(q), "o", color="crimson")
        ax1.annotate(_("{label}: {loss:.2f}").format(label=_(label), loss=-np.log(q)),
                     (q, -np.log(q)), xytext=offset, textcoords="offset points", fontsize=9)
    ax1.plot(1.0, 0.0, "o", color="crimson")
    ax1.annotate(_("certain and right: 0.00"), (1.0, 0.0), xytext=(0.98, 1.9), ha="right",
                 fontsize=9, arrowprops=dict(arrowstyle="->", color="0.4"))
    ax1.set(xlabel=_("$p$, the probability of the correct class"), ylabel=_("loss $-\\log p$"),
            ylim=(-0.3, 7), title=_("cross-entropy of one sample"))
    tiny = np.logspace(-320, 0, 400)
    ax2.semilogx(tiny, -np.log(tiny), color="steelblue", label="$-\\log p$")
    ax2.semilogx(tiny, -np.log(tiny + 1e-8), "--", color="darkorange",
                 label=_("$-\\log(p + 10^{-8})$: capped at 18.4"))
    ax2.plot(1e-300, -np.log(1e-300), "o", color="crimson")
    ax2.annotate(f"p = 1e-300: {-np.log(1e-300):.1f}", (1e-300, -np.log(1e-300)),
                 xytext=(8, 6), textcoords="offset points", fontsize=9)
    ax2.set(xticks=[1e-300, 1e-200, 1e-100, 1.0], xlabel=_("$p$ (log scale)"),
            ylabel=_("loss"), title=_("tiny p: a large but finite loss"))
    ax2.legend(fontsize=9, loc="upper right")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
