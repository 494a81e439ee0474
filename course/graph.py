"""The computational graph of the course's network, drawn: forward and backward, with shapes.

    from course.graph import network_graph
    network_graph()                       # the whole graph, forward and backward
    network_graph(backward=False)         # forward only: values, shapes and what is cached
    network_graph(highlight="dZ1")        # one node or gradient picked out
    network_graph(formulas=False)         # the backward pass with shapes only (to plan it)
    network_graph(m=64, n=256, H=256, K=10)  # the shapes with numbers

Forward, left to right: X -> affine (W1, b1) -> Z1 -> ReLU -> A1 -> affine (W2, b2) -> Z2 ->
softmax + cross-entropy -> J, and the L2 penalty from W1 and W2 into J. Backward, right to left,
under it: each gradient has the shape of what it is the gradient of, and each step reads what
the forward pass cached (the dashed lines).
"""
from __future__ import annotations

from course.i18n import N_, _
from course.plots import PlotFigure

#: name -> (x, y) of the value nodes, in the figure's coordinates
NODES = {"X": (0.5, 3), "W1": (2.0, 4.6), "b1": (2.0, 1.4), "Z1": (3.5, 3), "A1": (5.2, 3),
         "W2": (6.7, 4.6), "b2": (6.7, 1.4), "Z2": (8.2, 3), "J": (10.4, 3)}
#: the operations between them: (label, x, y, inputs, output)
OPS = [(N_("affine"), 2.0, 3, ("X", "W1", "b1"), "Z1"), ("ReLU", 4.35, 3, ("Z1",), "A1"),
       (N_("affine"), 6.7, 3, ("A1", "W2", "b2"), "Z2"),
       (N_("softmax +\ncross-entropy"), 9.3, 3, ("Z2",), "J")]
#: the backward pass, right to left: (gradient, x, y, formula, what it reads from the cache)
GRADIENTS = [("dZ2", 8.2, 0.0, "(P - Y)/m", "P"),
             ("dA1", 5.2, 0.0, "dZ2 W2ᵀ", "W2"),
             ("dW2", 6.5, -1.5, "A1ᵀ dZ2 + (λ/m)W2", "A1"),
             ("db2", 8.6, -1.5, "Σᵢ dZ2", None),
             ("dZ1", 3.5, 0.0, "dA1 ⊙ [Z1 > 0]", "Z1"),
             ("dW1", 1.8, -1.5, "Xᵀ dZ1 + (λ/m)W1", "X"),
             ("db1", 3.9, -1.5, "Σᵢ dZ1", None),
             ("dX", 0.5, 0.0, "dZ1 W1ᵀ", "W1")]


def shapes(m="m", n="n", H="H", K="K"):
    """The shape of every value and gradient, as text."""
    s = {"X": (m, n), "W1": (n, H), "b1": (H,), "Z1": (m, H), "A1": (m, H), "W2": (H, K),
         "b2": (K,), "Z2": (m, K), "J": ()}
    scalar = _("scalar")
    out = {k: "(" + ", ".join(map(str, v)) + ("," if len(v) == 1 else "") + ")" if v else scalar
           for k, v in s.items()}
    out.update({"d" + k: out[k] for k in s if k != "J"})
    return out


def network_graph(backward=True, highlight=None, m="m", n="n", H="H", K="K", formulas=True):
    """The figure (a matplotlib Figure that shows itself in a notebook). formulas=False leaves
    the backward formulas out (each gradient with its shape only): a plan to fill in."""
    shape = shapes(m, n, H, K)
    fig = PlotFigure(figsize=(11.5, 6.2 if backward else 3.6))
    ax = fig.add_axes([0.01, 0.01, 0.98, 0.98])
    ax.set_xlim(-0.3, 11.7)
    ax.set_ylim(-2.9 if backward else 0.8, 5.8)
    ax.axis("off")

    def box(x, y, text, sub, colour, edge="#333333", width=1.0, shown=None):
        """A node labelled `shown` (text in the student's language; text picks it out)."""
        bold = highlight in (text.split("\n")[0],)
        ax.text(x, y, text if shown is None else shown, ha="center", va="center", fontsize=11,
                fontweight="bold" if bold else "normal",
                bbox=dict(boxstyle="round,pad=0.35", fc=colour, ec="#c2410c" if bold else edge,
                          lw=2.5 if bold else width))
        if sub:
            ax.text(x, y - 0.42, sub, ha="center", va="top", fontsize=8.5, color="#444444")

    def arrow(x0, y0, x1, y1, colour="#333333", style="-|>", dashed=False):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle=style, color=colour, lw=1.0 if dashed else 1.3,
                                    linestyle=(0, (4, 3)) if dashed else "-",
                                    alpha=0.55 if dashed else 1.0, shrinkA=14, shrinkB=14,
                                    connectionstyle="arc3,rad=0.12" if dashed else "arc3"))

    for name, (x, y) in NODES.items():
        cached = name in ("X", "Z1", "A1") or name == "Z2"
        colour = "#e0f2fe" if name in ("W1", "b1", "W2", "b2") else "#f8fafc"
        box(x, y, name, _("{shape}  cached").format(shape=shape[name]) if cached and backward
            else shape[name], colour)
    for label, x, y, inputs, output in OPS:
        box(x, y, label, None, "#fef9c3", shown=_(label))
        for i in inputs:
            arrow(*NODES[i], x, y)
        arrow(x, y, *NODES[output])
    # the penalty: W1 and W2 feed J too, along a rail above the graph
    box(10.4, 4.6, "L2 penalty\nλ/(2m)(‖W1‖² + ‖W2‖²)", None, "#fef9c3",
        shown=_("L2 penalty\nλ/(2m)(‖W1‖² + ‖W2‖²)"))
    for x in (2.0, 6.7):
        ax.plot([x, x], [4.85, 5.15], color="#888888", lw=1.0)
    ax.plot([2.0, 10.4], [5.15, 5.15], color="#888888", lw=1.0)
    arrow(10.4, 5.25, 10.4, 4.75, colour="#888888")
    arrow(10.4, 4.6, 10.4, 3.0, colour="#888888")
    ax.text(5.6, 5.55, _("forward: values, their shapes, and what the backward pass will need"),
            ha="center", fontsize=10.5, color="#1e3a8a")
    if backward:
        ax.text(5.6, -2.75, _("backward: each gradient has the shape of its value; the dashed "
                              "lines read the forward pass's cache"), ha="center", fontsize=10.5,
                color="#7f1d1d")
        previous = None
        for name, x, y, formula, reads in GRADIENTS:
            box(x, y, name, f"{formula}  {shape[name]}" if formulas else shape[name],
                "#fee2e2")
            if reads is not None:  # P: cached by the softmax step
                arrow(*NODES.get(reads, (9.3, 3)), x, y + 0.3, colour="#b91c1c", style="-",
                      dashed=True)
            if y == 0.0:
                if previous is not None:
                    arrow(previous, 0.0, x, 0.0, colour="#b91c1c")
                previous = x
        for x0, x1 in ((8.2, 6.5), (8.2, 8.6), (3.5, 1.8), (3.5, 3.9)):
            arrow(x0, 0.0, x1, -1.5, colour="#b91c1c")
        box(10.4, 0.0, "dJ = 1", None, "#fee2e2")
        arrow(10.4, 0.0, 8.2, 0.0, colour="#b91c1c")
    return fig
