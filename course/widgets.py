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
    from IPython.display import display

    display(fig)


# --------------------------------------------------------------------------- 01 temperature
def softmax_temperature_figure(softmax, T, logits):
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
    ax.set(ylim=(0, 1.1), xticks=classes, xlabel="class k", ylabel="softmax(z / T)_k",
           title=f"T = {T:.2f}: largest probability {p.max():.2f}, entropy "
                 f"{-np.sum(p * np.log(np.clip(p, 1e-300, 1))):.2f} nats")
    fig.tight_layout()
    return fig


def softmax_temperature(softmax, logits=(2.0, 1.0, 0.1, -1.0, 3.0, 0.5)):
    """A slider for T in softmax(z / T), drawn with the student's softmax."""
    import ipywidgets as w

    slider = w.FloatLogSlider(value=1.0, base=10, min=-1.3, max=1.3, step=0.02,
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
    return w.VBox([w.HTML(f"logits z = {list(logits)}"), slider, out])
