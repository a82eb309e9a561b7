"""Generated data sets (shapes, seeds, parameters) and CSV loading with its errors."""

from __future__ import annotations

import numpy as np
import pytest

from core.nn.datasets import MAX_ROWS, dataset_names, load_csv, make_dataset

CLASSIFICATION = ["xor", "circles", "moons", "spirals", "blobs", "checkerboard"]


@pytest.mark.parametrize("name", dataset_names())
def test_shapes_split_and_read_only(name):
    data = make_dataset(name, n=101, seed=4, test_fraction=0.2)
    assert len(data.X_train) + len(data.X_test) == 101
    assert len(data.X_test) == 20
    assert data.X_train.dtype == np.float64
    assert data.X_train.shape[1] == data.n_features == (2 if name in CLASSIFICATION else 1)
    assert data.y_train.shape == (81,) and data.y_test.shape == (20,)
    if name in CLASSIFICATION:
        assert data.task == "classification" and data.y_train.dtype == np.int64
        labels = np.concatenate([data.y_train, data.y_test])
        assert set(np.unique(labels)) <= set(range(data.n_classes))
    else:
        assert data.task == "regression" and data.n_classes == 0
    for array in (data.X_train, data.y_train, data.X_test, data.y_test):
        assert not array.flags.writeable
    assert name in repr(data)


@pytest.mark.parametrize("name", dataset_names())
def test_seeds_reproduce_and_differ(name):
    a, b, c = (make_dataset(name, n=60, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_xor_labels_follow_the_quadrants():
    data = make_dataset("xor", n=400, noise=0.0, seed=0)
    X, y = data.X_train, data.y_train
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_parameters_choose_the_number_of_classes():
    assert make_dataset("blobs", classes=4, n=400).n_classes == 4
    spirals = make_dataset("spirals", arms=3, n=300, seed=1)
    assert spirals.n_classes == 3 and set(spirals.y_train) == {0, 1, 2}
    board = make_dataset("checkerboard", tiles=2, n=400, noise=0.0)
    X, y = board.X_train, board.y_train
    np.testing.assert_array_equal(y, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int))


def test_linear_is_the_linreg_family():
    data = make_dataset("linear", n=2000, noise=0.0)
    np.testing.assert_allclose(data.y_train, 2.0 * data.X_train[:, 0] - 1.0)
    assert data.X_train.min() >= 0.5 and data.X_train.max() <= 3.5


def test_standardization_uses_training_statistics_only():
    data = make_dataset("linear", n=400, seed=2, standardize=True)
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0)
    assert abs(data.X_test.mean()) > 1e-6  # the test part was not used for the statistics
    raw = make_dataset("linear", n=400, seed=2)
    np.testing.assert_allclose(data.X_test * data.std + data.mean, raw.X_test)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "swirl"}, "dataset must be one of"),
        ({"name": "xor", "n": 3}, r"n must be an integer in \[4, 100000\]"),
        ({"name": "xor", "n": 2.5}, "n must be an integer"),
        ({"name": "xor", "noise": -0.1}, r"noise must be a number in \[0, 10\]"),
        ({"name": "xor", "seed": -1}, "seed must be an integer"),
        ({"name": "xor", "test_fraction": 0.0}, r"test_fraction must be in \(0, 0.9\]"),
        ({"name": "xor", "arms": 3}, "has no parameter 'arms'"),
        ({"name": "blobs", "classes": 5}, r"classes must be an integer in \[2, 4\]"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(**kwargs)


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_classification_is_standardized_on_training_rows(tmp_path):
    rows = "\n".join(f"{i},{10 * i + 5},{3 if i % 2 else 7}" for i in range(20))
    data = load_csv(_write(tmp_path, "width,height,label\n" + rows + "\n\n"), seed=1)
    assert data.task == "classification" and data.n_classes == 2
    assert data.class_labels == ("3", "7")
    assert data.feature_names == ("width", "height")
    assert len(data.X_train) == 15 and len(data.X_test) == 5
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train.std(axis=0), 1.0)
    original = data.X_train * data.std + data.mean
    np.testing.assert_array_equal(data.y_train, (original[:, 0].round() % 2 == 0).astype(int))


def test_csv_regression(tmp_path):
    data = load_csv(_write(tmp_path, "x1,x2,target\n1,2,0.5\n2,3,1.5\n3,4,-2\n5,6,1e3\n"))
    assert data.task == "regression" and data.y_train.dtype == np.float64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x1,x2\n1,2\n", "header must name two feature columns"),
        ("x1,x2,y\n1,2,0\n", "header must name two feature columns"),
        ("1,2,3\n1,2,0\n", "header must name two feature columns"),
        ("", "header must name two feature columns"),
        ("a,b,label\n1,2,0\n2,3\n", "line 3: expected 3 cells, got 2"),
        ("a,b,label\n1,2,0\n2,abc,1\n", "line 3, column 'b': 'abc' is not a number"),
        ("a,b,label\n1,2,0\n2,,1\n", "line 3, column 'b': '' is not a number"),
        ("a,b,label\n1,2,0\nnan,2,1\n", "line 3, column 'a': NaN"),
        ("a,b,target\n1,2,0\n1,inf,1\n", "line 3, column 'b': inf is not finite"),
        ("a,b,label\n1,2,0\n2,3,1\n3,4,0\n", "3 data rows; at least 4"),
        ("a,b,label\n1,2,0\n2,3,1.5\n3,4,0\n4,5,1\n", "line 3, column 'label': 1.5 is not an int"),
        ("a,b,label\n1,2,1\n2,3,1\n3,4,1\n4,5,1\n", "at least 2 different classes"),
    ],
)
def test_csv_errors_name_the_problem(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_csv(_write(tmp_path, text))


def test_csv_missing_file_and_row_limit(tmp_path):
    with pytest.raises(ValueError, match="CSV file not found"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="CSV file not found"):
        load_csv(tmp_path)  # a folder is not a file
    lines = [f"{i},{i},{i % 2}\n" for i in range(MAX_ROWS + 1)]
    with pytest.raises(ValueError, match="more than 100000 data rows"):
        load_csv(_write(tmp_path, "a,b,label\n" + "".join(lines)))
    at_limit = load_csv(_write(tmp_path, "a,b,label\n" + "".join(lines[:-1])))
    assert len(at_limit.X_test) == 25_000


def test_csv_reader_gives_raw_columns_and_the_task(tmp_path):
    from core.nn import csv_data, datasets

    names, X, y, task = csv_data.read_table(
        _write(tmp_path, "u,v,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n")
    )
    assert (names, task) == (("u", "v"), "classification")
    np.testing.assert_array_equal(X[:, 0], [1, 3, 5, 7])  # not standardized: load_csv does that
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert datasets.MAX_ROWS is csv_data.MAX_ROWS and datasets.MIN_ROWS == csv_data.MIN_ROWS == 4
