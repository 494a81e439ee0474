"""Every plot renders, shows what it claims, and refuses input of the wrong shape."""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from course import plots


@pytest.fixture
def digits():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 256))
    y = rng.integers(0, 10, size=40)
    return X, y


def render(fig):
    assert isinstance(fig, Figure)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    return fig


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_show_digits_labels_and_marks_mistakes(digits):
    X, y = digits
    pred = y.copy()
    pred[0] = (y[0] + 1) % 10
    fig = render(plots.show_digits(X, y, pred=pred, n=10, cols=5))
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 10
    assert shown[0].get_title() == f"{y[0]} →{pred[0]}"
    assert shown[0].title.get_color() == "crimson" and shown[1].title.get_color() == "black"
    assert shown[0].images[0].get_array().shape == (16, 16)


def test_learning_curves_draw_present_series():
    hist = {"loss": [2.0, 1.0, 0.5], "acc": [0.5, 0.8, 0.9], "val_acc": [0.4, 0.7, 0.85]}
    fig = render(plots.plot_learning_curves(hist))
    ax_loss, ax_acc = fig.axes[:2]
    assert len(ax_loss.lines) == 1 and len(ax_acc.lines) == 2
    assert list(ax_acc.lines[1].get_ydata()) == [0.4, 0.7, 0.85]
    with pytest.raises(ValueError, match="keys"):
        plots.plot_learning_curves({"nothing": [1]})


def test_confusion_matrix_counts():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 2, 0])
    fig = render(plots.plot_confusion_matrix(y_true, y_pred, n_classes=3))
    C = fig.axes[0].images[0].get_array()
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert "66.7%" in fig.axes[0].get_title()


def test_misclassified_gallery_orders_by_confidence(digits):
    X, y = digits
    pred = y.copy()
    wrong = [3, 7, 11]
    for i in wrong:
        pred[i] = (y[i] + 1) % 10
    P = np.full((len(y), 10), 0.05)
    P[7, pred[7]] = 0.9
    P[3, pred[3]] = 0.5
    fig = render(plots.show_misclassified(X, y, pred, P=P))
    shown = [ax.get_title() for ax in fig.axes if ax.images]
    assert len(shown) == 3
    assert shown[0] == f"{y[7]}→{pred[7]} 90%"
    assert "3 misclassified" in fig._suptitle.get_text()
    render(plots.show_misclassified(X, y, y))  # no mistakes: still a figure


def test_first_layer_weights_as_images():
    W1 = np.random.default_rng(1).normal(size=(256, 20))
    W1[:, 7] *= 10  # the strongest unit comes first
    fig = render(plots.show_first_layer_weights(W1, n=6))
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 6 and shown[0].get_title() == "unit 7"
    assert np.allclose(shown[0].images[0].get_array(), W1[:, 7].reshape(16, 16))
    with pytest.raises(ValueError, match="256"):
        plots.show_first_layer_weights(W1[:100])


def test_wrong_image_size_is_a_clear_error():
    with pytest.raises(ValueError, match="256 pixels"):
        plots.show_digits(np.zeros((3, 64)))
