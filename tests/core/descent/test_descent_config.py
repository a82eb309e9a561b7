"""The descent configuration's limits: one table, strict types, one-line messages."""

from __future__ import annotations

import json

import pytest

from core.descent.config import DescentConfig, OptimizerSpec, lr_sweep, start_grid
from core.descent.limits import LIMITS, MAX_WIDGET_INT, Limit, describe
from core.descent.preset_view import ArrowOptions, PresetView, SweepView
from core.optim.optimizers import OPTIMIZERS


def test_every_integer_limit_fits_a_qt_spin_box():
    for name, limit in LIMITS.items():
        assert limit.low <= limit.high, name
        if limit.integer:
            assert -MAX_WIDGET_INT - 1 <= limit.low and limit.high <= MAX_WIDGET_INT, name


def test_every_hyperparameter_has_a_limit_inside_what_its_optimizer_accepts():
    names = {key for cls in OPTIMIZERS.values() for key in cls.defaults}
    assert {f"hyper.{n}" for n in names} <= set(LIMITS)
    for key in names:  # both ends of every limit are accepted by some optimizer
        limit = LIMITS[f"hyper.{key}"]
        users = [name for name, cls in OPTIMIZERS.items() if key in cls.defaults]
        assert any(
            _accepts(name, key, limit.low) and _accepts(name, key, limit.high) for name in users
        )
    for key, default in {k: v for c in OPTIMIZERS.values() for k, v in c.defaults.items()}.items():
        limit = LIMITS[f"hyper.{key}"]
        assert limit.low <= default <= limit.high, key  # torch's defaults fit


def _accepts(optimizer: str, key: str, value: float) -> bool:
    try:
        OptimizerSpec(optimizer, ((key, value),))
    except ValueError:
        return False
    return True


def test_limit_check_names_the_field_and_the_range():
    limit = Limit(1, 10, integer=True)
    assert limit.check("steps", 10) == 10
    for bad in (0, 11, 2.0, True, "3", None, 10**5000):
        with pytest.raises(ValueError, match=r"^steps must be an integer in \[1, 10\], got "):
            limit.check("steps", bad)
    real = Limit(0.0, 1.5)
    assert real.check("gamma", 1) == 1.0 and isinstance(real.check("gamma", 1), float)
    for bad in (float("nan"), float("inf"), -0.1, 1.6, 10**400, "0.5", [0.5]):
        with pytest.raises(ValueError, match=r"^gamma must be a number in \[0, 1\.5\], got "):
            real.check("gamma", bad)


def test_describe_is_short_and_one_line_for_anything():
    assert describe(10**5000) == "<an integer of about 5000 digits>"
    assert describe("a\nb") == "'a\\nb'"
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert len(describe(deep)) <= 80
    assert len(describe("x" * 10_000)) <= 80


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"surface": 5}, r"^surface must be a surface name"),
        ({"expr": ["x"]}, r"^expr must be a string"),
        ({"optimizers": "gd"}, r"^optimizers must be a list"),
        ({"optimizers": [{"name": "gd", "extra": 1}]}, r"^unknown optimizer field 'extra'"),
        ({"optimizers": [{"name": "gd", "label": 5}]}, r"^optimizer label must be a string"),
        ({"optimizers": [{"name": "gd", "label": "x" * 81}]}, r"^optimizer label must be"),
        ({"optimizers": [{"name": "gd", "hyper": {"momentum": "0.5"}}]}, r"hyper momentum"),
        ({"optimizers": [{"name": "gd", "hyper": {"momentum": 0.9999}}]}, r"\[0, 0\.999\]"),
        ({"optimizers": [{"name": "gd", "batch": 10**6}]}, r"^optimizer batch must be"),
        ({"optimizers": [{"name": {}}]}, r"^optimizer name must be a string"),
        ({"surface_params": [1, 2]}, r"^surface_params must be a JSON object"),
        ({"learning_rates": "0.1"}, r"^learning_rates must be a list"),
        ({"learning_rates": ["0.1"]}, r"^learning_rates must hold finite numbers, got '0\.1'"),
        ({"starts": [[0, 2e6]]}, r"^starts must be a number in \[-1000000, 1000000\]"),
        ({"bounds": [0, 1, 0]}, r"^bounds must be \(xmin, xmax, ymin, ymax\)"),
        ({"bounds": [0, 1, 0, "1"]}, r"^bounds must be a number"),
        ({"seeds": 1001}, r"^seeds must be an integer in \[1, 1000\]"),
        ({"batch": 0}, r"^batch must be an integer in \[1, 100000\]"),
        ({"noise": 101}, r"^noise must be a number in \[0, 100\]"),
        ({"schedule": []}, r"^schedule must be a JSON object"),
        ({"schedule": {"kind": 3}}, r"^schedule kind must be a string"),
        ({"schedule": {"eta_min": -1}}, r"^schedule eta_min must be a number"),
        ({"clip": {"threshold": 0}}, r"^clip threshold must be a number in \[0\.001, 10000\]"),
        ({"clip": {"mode": "norm", "max": 1}}, r"^unknown clip field 'max'"),
    ],
)
def test_bad_data_is_refused_naming_the_field(data, message):
    with pytest.raises(ValueError, match=message) as info:
        DescentConfig.from_dict(data)
    assert "\n" not in str(info.value)


def test_the_limits_also_bind_configs_built_in_code():
    with pytest.raises(ValueError, match=r"^seed must be an integer in \[0, 2147483647\]"):
        DescentConfig(seed=2**31)
    with pytest.raises(ValueError, match=r"^schedule t_max"):
        DescentConfig().replace(schedule=DescentConfig().schedule.__class__(t_max=10**8))
    with pytest.raises(ValueError, match=r"^optimizer hyper nesterov must be 0 \(off\) or 1"):
        OptimizerSpec("nesterov", (("nesterov", 0.5),))


def test_a_full_config_round_trips_through_json():
    config = DescentConfig.from_dict(
        {
            "surface": "linreg",
            "surface_params": {"n": 20, "seed": MAX_WIDGET_INT},
            "optimizers": [{"name": "adam", "hyper": {"amsgrad": 1, "eps": 1e-12}, "batch": 4}],
            "learning_rates": [0.0, 1000],
            "starts": [[-1e6, 1e6]],
            "bounds": [-1e6, 1e6, -1e6, 1e6],
            "seed": MAX_WIDGET_INT,
            "schedule": {"kind": "warmup_cosine", "warmup": 10, "t_max": 10_000_000},
            "clip": {"mode": "norm", "threshold": 1e4},
        }
    )
    assert DescentConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.optimizers[0].hyper == (("amsgrad", 1.0), ("eps", 1e-12))


def test_lr_sweep_and_start_grid_keep_their_numbers():
    assert lr_sweep(1e-3, 1e-1, 3) == pytest.approx((1e-3, 1e-2, 1e-1), rel=1e-12)
    assert lr_sweep(0.0, 1.0, 3, log=False) == (0.0, 0.5, 1.0)
    assert start_grid((0.0, 2.0, 0.0, 4.0), 2) == ((0.5, 1.0), (1.5, 1.0), (0.5, 3.0), (1.5, 3.0))
    with pytest.raises(ValueError, match="bounds must be"):
        start_grid((0.0, 0.0, 0.0, 1.0), 2)


def test_preset_view_validates_itself_and_round_trips():
    view = PresetView("sweep", SweepView(1e-4, 0.5, 200, True), 30, 100_000.0, ArrowOptions())
    assert PresetView.from_dict(json.loads(json.dumps(view.to_dict()))) == view
    assert view.to_dict()["sweep"] == {"min": 1e-4, "max": 0.5, "count": 200, "log": True}
    with pytest.raises(ValueError, match=r"^view\.sweep\.min must be > 0 for a log-spaced"):
        SweepView(0.0, 1.0, 5, True)
    assert SweepView(0.0, 1.0, 5, False).low == 0.0
    with pytest.raises(ValueError, match=r"^view\.speed must be a number in \[1, 100000\]"):
        PresetView(speed=0.5)
    with pytest.raises(ValueError, match=r"^view\.view3d must be true or false"):
        PresetView(view3d=1)
    with pytest.raises(ValueError, match=r"^view\.zoom is not a known setting"):
        PresetView.from_dict({"zoom": 2})


def test_sweep_defaults_follow_the_rates_within_the_limits():
    assert SweepView.around((0.01,)) == SweepView(1e-3, 0.1, 7, True)
    assert SweepView.around((500.0,)) == SweepView(50.0, 1000.0, 7, True)  # capped at the limit
    assert SweepView.around((0.0,)) == SweepView()
    assert SweepView.around((5e-324,)).low == 5e-324  # no tenth of the smallest float
    assert SweepView.around(tuple(float(i) for i in range(300))) == SweepView(
        0.0, 299.0, 200, False
    )


def test_surface_parameters_must_be_finite_numbers():
    """Found by the fuzz test: an integer beyond the float range overflowed in the surface."""
    for bad in (10**400, float("inf"), "3", True, None):
        with pytest.raises(ValueError, match=r"^surface_params 'condition' must be a finite"):
            DescentConfig.from_dict({"surface": "bowl", "surface_params": {"condition": bad}})
    config = DescentConfig.from_dict({"surface": "linreg", "surface_params": {"n": 20}})
    assert config.surface_params == (("n", 20),) and isinstance(config.surface_params[0][1], int)
