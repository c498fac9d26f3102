import numpy as np

from redoxscreen.report import error_histogram, learning_curves, parity_plot


def test_plots_are_written(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    p = y + rng.normal(0, 0.1, 50)
    for path in (parity_plot(y, p, "vie", tmp_path / "a.png"),
                 error_histogram(y, p, "vie", tmp_path / "b.png"),
                 learning_curves([{"train_loss": [1, 0.5], "val_mae": [0.4, 0.3]}],
                                 tmp_path / "c.png")):
        assert path.read_bytes()[:4] == b"\x89PNG"
