"""The MLP: conventions, the reference article's worked example, XOR, vanishing and exploding
gradients, flattening, regularization, dropout and batch norm."""

from __future__ import annotations

import numpy as np
import pytest

from core.nn.gradcheck import gradient_check
from core.nn.network import MLP, Workspace


def test_shapes_and_conventions():
    net = MLP([2, 8, 8, 1], activation="relu", output="sigmoid", seed=3)
    assert [W.shape for W in net.weights] == [(2, 8), (8, 8), (8, 1)]
    assert [b.shape for b in net.biases] == [(8,), (8,), (1,)]
    assert all(W.dtype == np.float64 for W in net.weights)
    assert all(np.all(b == 0) for b in net.biases)
    X = np.random.default_rng(0).normal(size=(5, 2))
    record = net.forward(X)
    assert record.layer_input(0) is record.inputs
    np.testing.assert_allclose(record.z[0], X @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(record.a[0], np.maximum(record.z[0], 0))
    np.testing.assert_allclose(record.z[1], record.a[0] @ net.weights[1] + net.biases[1])
    np.testing.assert_allclose(record.output, 1 / (1 + np.exp(-record.z[2])))
    loss, dW, db = net.loss_and_grads(X, np.ones(5), loss="bce")
    assert isinstance(loss, float)
    assert [g.shape for g in dW] == [W.shape for W in net.weights]
    assert [g.shape for g in db] == [b.shape for b in net.biases]


def test_workspace_passes_equal_fresh_passes():
    rng = np.random.default_rng(4)
    net = MLP([3, 70, 70, 2], activation="sigmoid", output="softmax", batch_norm=True, seed=1)
    batches = [(rng.normal(size=(n, 3)), rng.integers(0, 2, n)) for n in (80, 80, 64)]
    for X, y in batches:  # the first two share shapes, the third makes new arrays
        reference = net.backward(net.forward(X, training=True), y, "cross_entropy")
        loss, dW, db = net.loss_and_grads(X, y, loss="cross_entropy", training=True)
        assert loss == reference.loss
        for ours, theirs in zip(dW + db, reference.dW + reference.db, strict=True):
            np.testing.assert_array_equal(ours, theirs)
    assert "arrays" in repr(net._workspace)
    tiny = Workspace(max_elements=10)
    assert tiny.get("a", (2, 5)) is tiny.get("a", (2, 5))
    assert tiny.get("b", (3, 5)) is None  # too large to keep


def test_weights_are_plain_arrays_the_network_uses():
    net = MLP([2, 3, 1])
    X = np.ones((1, 2))
    before = net.predict(X).copy()
    net.weights[1] *= 2.0  # in place
    net.biases[1][:] = 0.0
    np.testing.assert_allclose(net.predict(X), 2.0 * before)
    net.weights = [np.zeros((2, 3)), np.zeros((3, 1))]
    net.biases = [np.zeros(3), np.full(1, 0.25)]
    np.testing.assert_allclose(net.predict(X), [[0.25]])


def test_reference_article_worked_example_by_hand():
    # One input, one hidden and one output neuron, sigmoid activations, MSE, one sample.
    # x = 0.5, w1 = 0.4, b1 = 0.1, w2 = 0.7, b2 = -0.2, y = 1.
    #   z1 = 0.5 * 0.4 + 0.1 = 0.3                a1 = sigma(0.3) = 0.574442516811659
    #   z2 = 0.7 * a1 - 0.2 = 0.2021097617681613   a2 = sigma(z2) = 0.55035614322359
    #   L = (a2 - y)^2 = 0.20217959793676465
    #   delta2 = 2 (a2 - y) a2 (1 - a2) = -0.22254156751794782
    #   delta1 = delta2 * w2 * a1 (1 - a1) = -0.03808149511351475
    #   dW2 = delta2 * a1 = -0.1278373381402217   db2 = delta2
    #   dW1 = delta1 * x  = -0.019040747556757377 db1 = delta1
    # and one gradient-descent step with alpha = 0.5: w <- w - alpha dL/dw
    #   w2 = 0.7639186690701107, b2 = -0.0887292162410261,
    #   w1 = 0.4095203737783787, b1 = 0.11904074755675738
    net = MLP([1, 1, 1], activation="sigmoid", output="sigmoid")
    net.weights = [np.array([[0.4]]), np.array([[0.7]])]
    net.biases = [np.array([0.1]), np.array([-0.2])]
    record = net.forward(np.array([[0.5]]))
    assert record.z[0][0, 0] == pytest.approx(0.3, abs=1e-15)
    assert record.a[0][0, 0] == pytest.approx(0.574442516811659, abs=1e-15)
    assert record.z[1][0, 0] == pytest.approx(0.2021097617681613, abs=1e-15)
    assert record.a[1][0, 0] == pytest.approx(0.55035614322359, abs=1e-15)
    back = net.backward(record, np.array([1.0]), loss="mse")
    assert back.loss == pytest.approx(0.20217959793676465, abs=1e-15)
    assert back.delta[1][0, 0] == pytest.approx(-0.22254156751794782, abs=1e-15)
    assert back.delta[0][0, 0] == pytest.approx(-0.03808149511351475, abs=1e-15)
    assert back.dW[1][0, 0] == pytest.approx(-0.1278373381402217, abs=1e-15)
    assert back.db[1][0] == pytest.approx(-0.22254156751794782, abs=1e-15)
    assert back.dW[0][0, 0] == pytest.approx(-0.019040747556757377, abs=1e-15)
    assert back.db[0][0] == pytest.approx(-0.03808149511351475, abs=1e-15)
    net.set_flat(net.get_flat() - 0.5 * net.flatten_grads(back.dW, back.db))
    assert net.weights[1][0, 0] == pytest.approx(0.7639186690701107, abs=1e-15)
    assert net.biases[1][0] == pytest.approx(-0.0887292162410261, abs=1e-15)
    assert net.weights[0][0, 0] == pytest.approx(0.4095203737783787, abs=1e-15)
    assert net.biases[0][0] == pytest.approx(0.11904074755675738, abs=1e-15)


def test_xor_solved_by_a_2_4_1_tanh_net():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    net = MLP([2, 4, 1], activation="tanh", output="sigmoid", seed=1)
    first = net.compute_loss(X, y, "bce")
    for _ in range(3000):
        _, dW, db = net.loss_and_grads(X, y, loss="bce")
        net.set_flat(net.get_flat() - 0.5 * net.flatten_grads(dW, db))
    assert net.compute_loss(X, y, "bce") < 0.05 < first
    np.testing.assert_array_equal(net.predict(X)[:, 0] > 0.5, y == 1)


def _deep_net_grad_norms(activation: str, width: int, init: str) -> np.ndarray:
    """||dL/dW[l]||_F per layer of an 8-hidden-layer net on 64 random samples (MSE)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 2)), rng.normal(size=64)
    net = MLP([2] + [width] * 8 + [1], activation=activation, init=init, seed=0)
    _, dW, _ = net.loss_and_grads(X, y, loss="mse")
    return np.array([np.linalg.norm(g) for g in dW])


def test_vanishing_gradients_in_a_deep_sigmoid_net():
    norms = _deep_net_grad_norms("sigmoid", 16, "xavier")
    hidden = norms[1:-1]  # the error signal shrinks by sigma' <= 1/4 per layer toward the input
    assert np.all(np.diff(hidden) > 0)
    assert norms[0] < norms[-1] / 1e3


def test_exploding_gradients_with_large_initial_weights():
    norms = _deep_net_grad_norms("tanh", 32, "large")
    # activations stay in [-1, 1] while W^T (norm ~ sqrt(32)) times tanh' amplifies the error
    # signal at each layer on its way back: gradients grow toward the input
    slope = np.polyfit(np.arange(len(norms)), np.log(norms), 1)[0]
    assert slope < -0.3
    assert norms[:3].mean() > 10 * norms[-2:].mean()


def test_zero_init_keeps_hidden_units_identical():
    net = MLP([2, 3, 1], activation="tanh", init="zeros")
    X = np.random.default_rng(1).normal(size=(8, 2))
    for _ in range(5):
        _, dW, db = net.loss_and_grads(X, X[:, 0], loss="mse")
        net.set_flat(net.get_flat() - 0.1 * net.flatten_grads(dW, db))
    W = net.weights[0]
    np.testing.assert_array_equal(W, W[:, :1].repeat(3, axis=1))  # the symmetry never breaks


def test_init_is_seeded_and_scaled():
    a, b, c = MLP([20, 30, 1], seed=5), MLP([20, 30, 1], seed=5), MLP([20, 30, 1], seed=6)
    np.testing.assert_array_equal(a.get_flat(), b.get_flat())
    assert not np.array_equal(a.get_flat(), c.get_flat())
    limit = np.sqrt(6 / 50)
    assert np.abs(a.weights[0]).max() <= limit and np.abs(a.weights[0]).max() > 0.8 * limit
    he = MLP([400, 400, 1], init="he", seed=0).weights[0]
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    small = MLP([400, 400, 1], init="small", seed=0).weights[0]
    assert small.std() == pytest.approx(0.01, rel=0.02)
    xn = MLP([300, 500, 1], init="xavier_normal", seed=0).weights[0]
    assert xn.std() == pytest.approx(np.sqrt(2 / 800), rel=0.02)


def test_flat_round_trip_and_gradient_order():
    net = MLP([3, 4, 2], output="softmax", batch_norm=False, seed=2)
    flat = net.get_flat()
    assert flat.shape == (net.n_params,) == (3 * 4 + 4 + 4 * 2 + 2,)
    net.set_flat(flat * 2)
    np.testing.assert_array_equal(net.get_flat(), flat * 2)
    np.testing.assert_array_equal(net.weights[0].ravel(), flat[:12] * 2)
    with pytest.raises(ValueError, match="vector must have shape"):
        net.set_flat(flat[:-1])
    twin = net.copy()
    twin.weights[0][0, 0] = 99.0
    assert net.weights[0][0, 0] != 99.0


def test_penalties_add_to_loss_and_gradient():
    net = MLP([2, 3, 1], seed=0)
    X, y = np.ones((2, 2)), np.zeros(2)
    plain, dW, _ = net.loss_and_grads(X, y)
    loss, dW_reg, _ = net.loss_and_grads(X, y, l1=0.1, l2=0.3)
    l1_sum = sum(np.abs(W).sum() for W in net.weights)
    l2_sum = sum((W**2).sum() for W in net.weights)
    assert loss == pytest.approx(plain + 0.1 * l1_sum + 0.15 * l2_sum)
    for W, g, g_reg in zip(net.weights, dW, dW_reg, strict=True):
        np.testing.assert_allclose(g_reg, g + 0.1 * np.sign(W) + 0.3 * W)
    with pytest.raises(ValueError, match="l1 and l2 must be >= 0"):
        net.compute_loss(X, y, l2=-1.0)


def test_dropout_only_while_training():
    net = MLP([2, 50, 1], dropout=0.4, seed=0)
    X = np.random.default_rng(0).normal(size=(100, 2))
    eval_a = net.forward(X).a[0]
    np.testing.assert_array_equal(eval_a, net.forward(X).activated[0])
    record = net.forward(X, training=True, rng=np.random.default_rng(1))
    mask = record.masks[0]
    assert set(np.unique(mask)) == {0.0, 1 / 0.6}
    assert np.mean(mask == 0) == pytest.approx(0.4, abs=0.03)
    np.testing.assert_allclose(record.a[0], record.activated[0] * mask)
    np.testing.assert_allclose(record.activated[0], eval_a)
    with pytest.raises(ValueError, match="rng"):
        net.forward(X, training=True)


def test_batch_norm_normalizes_in_training_and_uses_running_stats_in_eval():
    net = MLP([2, 6, 1], batch_norm=True, seed=0)
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(40, 2))
    record = net.forward(X, training=True)
    np.testing.assert_allclose(record.bn_out[0].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(record.bn_out[0].var(axis=0), 1.0, rtol=1e-4)
    net.update_running_stats(record)
    z = record.z[0]
    np.testing.assert_allclose(net.bn_running_mean[0], 0.1 * z.mean(axis=0))
    np.testing.assert_allclose(net.bn_running_var[0], 0.9 + 0.1 * z.var(axis=0, ddof=1))
    evaluated = net.forward(X)
    expected = (z - net.bn_running_mean[0]) / np.sqrt(net.bn_running_var[0] + 1e-5)
    np.testing.assert_allclose(evaluated.bn_hat[0], expected)
    with pytest.raises(ValueError, match="at least 2 samples"):
        net.forward(X[:1], training=True)
    assert gradient_check(net, X[:6], X[:6, 0], training=True).ok()
    assert net.n_params == 2 * 6 + 6 + 6 + 1 + 6 + 6


def test_saturated_classifier_has_large_finite_loss():
    net = MLP([1, 2], output="softmax")
    net.weights = [np.array([[1000.0, -1000.0]])]
    loss = net.compute_loss(np.array([[1.0]]), np.array([1]), "cross_entropy")
    assert loss == pytest.approx(2000.0)
    net = MLP([1, 1], output="sigmoid")
    net.weights = [np.array([[800.0]])]
    assert net.compute_loss(np.array([[1.0]]), np.array([0.0]), "bce") == pytest.approx(800.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": [2]}, "sizes must have >= 2 entries"),
        ({"sizes": [2, 0, 1]}, r"sizes\[1\] must be a positive integer"),
        ({"sizes": "ab"}, "sizes must be a list of integers"),
        ({"sizes": [2, 3, 1], "activation": ["tanh", "relu"]}, "activation needs 1 names"),
        ({"sizes": [2, 3, 1], "activation": "swish"}, "activation must be one of"),
        ({"sizes": [2, 3, 1], "output": "tanh"}, "output must be one of"),
        ({"sizes": [2, 3, 1], "output": "softmax"}, "softmax' needs at least 2"),
        ({"sizes": [2, 3, 1], "init": "ones"}, "init must be one of"),
        ({"sizes": [2, 3, 1], "dropout": 1.0}, r"dropout must be in \[0, 1\)"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_bad_inputs_and_targets():
    net = MLP([2, 3, 2], output="softmax")
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match="integer class indices"):
        net.compute_loss(np.ones((2, 2)), np.array([0.0, 1.0]), "cross_entropy")
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        net.compute_loss(np.ones((2, 2)), np.array([0, 2]), "cross_entropy")
    with pytest.raises(ValueError, match="needs output 'sigmoid'"):
        net.compute_loss(np.ones((2, 2)), np.ones((2, 2)), "bce")
    with pytest.raises(ValueError, match=r"y must have shape \(2, 2\)"):
        net.compute_loss(np.ones((2, 2)), np.ones(2), "mse")
    assert "MLP([2, 3, 2]" in repr(net) and "params=17" in repr(net)
    record = net.forward(np.ones((4, 2)))
    assert repr(record) == "ForwardRecord(samples=4, widths=[3, 2], evaluation)"
    assert repr(net.backward(record, np.array([0, 1, 1, 0]), "cross_entropy")).startswith(
        "BackwardRecord(loss="
    )


def test_records_keep_their_old_import_path():
    import core.nn.network
    import core.nn.records

    for name in ("ForwardRecord", "BackwardRecord", "Workspace"):
        assert getattr(core.nn.network, name) is getattr(core.nn.records, name)
        assert name in core.nn.network.__all__
    assert isinstance(MLP([2, 3, 1]).forward(np.ones((1, 2))), core.nn.records.ForwardRecord)
