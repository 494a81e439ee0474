"""The library pieces of 01 and 02: the temperature slider (its readout and the figure's title
show the same T), the cross-entropy figure (no label on a curve), and the experiments (a timing
side by side, a cell that waits for a function still to be written)."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from course import experiments, plots, widgets
from instructor.reference import one_hot, softmax


def test_the_temperature_readout_and_the_figure_title_agree():
    slider = widgets.softmax_temperature(softmax).children[1]
    assert [T for _, T in slider.options] == list(widgets.TEMPERATURES)
    for label, T in slider.options:
        fig = widgets.softmax_temperature_figure(softmax, T)
        assert fig.axes[0].get_title().startswith(f"T = {label}:")
        assert fig.axes[0].get_ylabel().startswith("$")  # drawn as math, not raw text


def test_the_temperature_figure_waits_for_a_softmax(capsys):
    def softmax_stub(Z):
        raise NotImplementedError()
    assert widgets.softmax_temperature_figure(softmax_stub, 1.0) is None
    assert "Implement `softmax_stub`" in capsys.readouterr().out


def test_no_label_of_the_cross_entropy_figure_sits_on_a_curve():
    fig = plots.cross_entropy_curves()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    labels = 0
    for ax in fig.axes:
        curves = [line for line in ax.lines if len(line.get_xdata()) > 10]
        for text in ax.texts:
            box = Text.get_window_extent(text, renderer).padded(2)  # the words, not the arrow
            labels += 1
            for curve in curves:
                x = np.asarray(curve.get_xdata())
                # the curve densely, in display coordinates (log axes: interpolate in log x)
                xs = np.geomspace(x.min(), x.max(), 20000) if ax.get_xscale() == "log" \
                    else np.linspace(x.min(), x.max(), 20000)
                ys = np.interp(xs, x, curve.get_ydata())
                points = ax.transData.transform(np.column_stack([xs, ys]))
                inside = (box.x0 < points[:, 0]) & (points[:, 0] < box.x1) & \
                         (box.y0 < points[:, 1]) & (points[:, 1] < box.y1)
                assert not inside.any(), f"{text.get_text()!r} sits on {curve.get_label()!r}"
    assert labels == 4


def test_time_side_by_side_times_and_compares(capsys):
    def one_hot_loop(y, K):
        Y = np.zeros((len(y), K))
        for i, label in enumerate(y):
            Y[i, label] = 1
        return Y
    times = experiments.time_side_by_side([one_hot_loop, one_hot], np.arange(2000) % 10, 10,
                                          repeat=1)
    out = capsys.readouterr().out
    assert set(times) == {"one_hot_loop", "one_hot"} and "Their results agree." in out
    assert "than one_hot_loop" in out

    def one_hot_transposed(y, K):
        return one_hot(y, K).T
    experiments.time_side_by_side([one_hot, one_hot_transposed], np.array([3, 0, 1]), 10)
    assert "Their results differ" in capsys.readouterr().out


def test_once_written_names_the_function_still_to_write_and_lets_real_errors_through(capsys):
    def softmax_cross_entropy_backward(Z2, y):
        raise NotImplementedError()
    with experiments.once_written():
        softmax_cross_entropy_backward(np.zeros((2, 2)), [0, 1])
        raise AssertionError("not reached")
    assert "Write `softmax_cross_entropy_backward` above first" in capsys.readouterr().out
    with pytest.raises(ZeroDivisionError):
        with experiments.once_written():
            1 / 0
    assert experiments.time_side_by_side([softmax_cross_entropy_backward], 0, 0) == {}
