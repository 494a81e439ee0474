"""The reference trainer reaches the course's promise on the real USPS data."""
import numpy as np

from instructor import reference as R


def test_reference_network_reaches_95_percent_on_usps(usps):
    s = R.TRAIN_SETTINGS
    params = R.init_params(256, 256, 10, seed=s["seed"])
    hist = R.train(params, usps.X_train, usps.y_train, X_val=usps.X_test, y_val=usps.y_test, **s)
    acc = R.accuracy(R.predict(params, usps.X_test), usps.y_test)
    assert acc >= 0.95, f"test accuracy {acc:.4f}"
    assert len(hist["loss"]) == s["epochs"] and hist["val_acc"][-1] == acc
    assert hist["loss"][-1] < hist["loss"][0]


def test_training_is_reproducible_for_a_seed(usps):
    settings = dict(R.TRAIN_SETTINGS, epochs=1)
    runs = []
    for _ in range(2):
        params = R.init_params(256, 32, 10, seed=3)
        R.train(params, usps.X_train[:500], usps.y_train[:500], **settings)
        runs.append(params["W1"])
    assert np.array_equal(*runs)
