"""The shared helpers: deterministic data with the stated process, Korean glyphs in figures,
the training loop."""

import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import lossbook.datasets
from lossbook.datasets import make_house_prices
from lossbook.plotting import use_course_style
from lossbook.training import fit_linear_gd, standardize

matplotlib.use("Agg")


def test_figures_render_hangul_and_minus_signs_without_missing_glyphs(caplog):
    import matplotlib.pyplot as plt

    use_course_style()
    fig, (ax1, ax2) = plt.subplots(1, 2)
    ax1.set(title="평균 제곱 오차와 그래디언트", xlabel="잔차 $r = \\hat y - y$ (억 원)", ylabel="손실 −1")
    ax1.plot([-1, 0, 1], [1, 0, 1], label="제곱 오차 $r^2$")
    ax1.legend()
    ax2.semilogy([1e-12, 1e-3, 10.0])  # tick labels 10^-12 ... are mathtext with U+2212
    # tofu shows up as a warning ("Glyph ... missing from font(s)") or, in mathtext, a log record
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)
    missing = [r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()]
    assert not missing, missing


def test_house_prices_are_deterministic_for_a_seed():
    a, b, c = make_house_prices(seed=3), make_house_prices(seed=3), make_house_prices(seed=4)
    assert np.array_equal(a.y, b.y) and not np.array_equal(a.y, c.y)


@pytest.mark.parametrize("noise", ["gaussian", "skewed"])
def test_house_prices_follow_the_stated_process(noise):
    data = make_house_prices(n=200_000, noise=noise, seed=0)
    residual = data.y - data.true_mean
    assert abs(residual.mean()) < 0.01, "the noise must have mean 0 (true_mean is E[y|x])"
    below_median = np.mean(data.y < data.true_median)
    assert abs(below_median - 0.5) < 0.01, "true_median must be the conditional median"
    assert np.allclose(data.true_mean, data.intercept + data.X @ data.coef)


def test_house_prices_reject_bad_arguments():
    with pytest.raises(ValueError):
        make_house_prices(noise="cauchy")
    with pytest.raises(ValueError):
        make_house_prices(n=0)


def test_fit_linear_gd_reaches_least_squares_with_an_mse_gradient():
    rng = np.random.default_rng(0)
    X, _, _ = standardize(rng.normal(size=(100, 3)) * [1, 10, 100])
    y = X @ [1.0, -2.0, 0.5] + 3.0 + rng.normal(scale=0.1, size=100)
    w, b, history = fit_linear_gd(X, y, lambda t, p: 2 * (p - t) / len(t), lr=0.1, n_steps=400)
    theta, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(100)]), y, rcond=None)
    assert np.allclose(np.append(w, b), theta, atol=1e-8)
    assert history.shape == (401, 4) and np.allclose(history[0], 0) and np.allclose(history[-1], np.append(w, b))


GENERATORS = [name for name in lossbook.datasets.__all__ if name.startswith("make_")]


def _arrays(dataset):
    """The NumPy arrays a generator returned, by field name."""
    return {k: v for k, v in vars(dataset).items() if isinstance(v, np.ndarray)}


@pytest.mark.parametrize("generator", GENERATORS)
def test_every_generator_is_deterministic_for_a_seed(generator):
    make = getattr(lossbook.datasets, generator)
    first, again, other = _arrays(make(seed=1)), _arrays(make(seed=1)), _arrays(make(seed=2))
    assert first, f"{generator} returned no arrays"
    for name, values in first.items():
        assert np.array_equal(values, again[name], equal_nan=True), f"{generator}(seed=1).{name} changed between calls"
    assert any(not np.array_equal(v, other[k], equal_nan=True) for k, v in first.items()), \
        f"{generator} ignores its seed"


def test_gradebook_migration_head_read_in_process_is_alembics():
    """lossbook.grading reads the gradebook's migration head in process instead of nbgrader's
    `alembic heads` subprocess per new gradebook; both must name the same revision."""
    import subprocess

    from nbgrader.dbutil import _temp_alembic_ini

    from lossbook.grading.autograde import migration_head

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        heads = subprocess.run([str(Path(sys.executable).parent / "alembic"), "-c", ini, "heads"],
                               check=True, capture_output=True, text=True).stdout
    assert heads.split()[0] == migration_head()
