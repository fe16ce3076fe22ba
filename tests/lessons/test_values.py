"""The live values a lesson's text shows, checked against the trace computed directly."""
import math

import numpy as np
import pytest

from rnnviz.core.clipping import clip_gradients
from rnnviz.core.settings import Config, run_config
from rnnviz.lessons.text import fill, format_number, placeholders, to_html, to_plain
from rnnviz.lessons.values import VALUES, Context, read_value


@pytest.fixture(scope="module")
def hello():
    c = Config(source="hello world", hidden=8)
    return c, run_config(c)


def ctx_of(c, tr, t=0, phase="forward", **kw):
    return Context(tr, c, t, phase, **kw)


def test_every_value_reads_on_a_vanilla_trace(hello):
    c, tr = hello
    cmp_c = Config(source="hello world", hidden=8, cell="lstm")
    ctx = ctx_of(c, tr, 3, clip=clip_gradients(tr.grads, "norm", 1.0), compare=run_config(cmp_c), compare_config=cmp_c)
    missing = [n for n, v in VALUES.items() if read_value(ctx, n, "2" if v.indexed else None) is None
               and n not in ("gate_product", "c_norm", "forget") and not n.startswith("train_")]   # LSTM, training
    assert missing == []


def test_indexed_values_follow_the_trace(hello):
    c, tr = hello
    ctx = ctx_of(c, tr, 4)
    assert read_value(ctx, "grad_norm", "1") == pytest.approx(tr.da_norm[0])
    assert read_value(ctx, "grad_norm", None) == pytest.approx(tr.da_norm[4])       # the cursor's step
    assert read_value(ctx, "grad_last", "T") == pytest.approx(tr.da_last_norm[-1])
    assert read_value(ctx, "grad_last", "t-1") == pytest.approx(tr.da_last_norm[3])
    assert read_value(ctx, "loss_t", "T-1") == pytest.approx(tr.loss[-2])
    assert read_value(ctx, "grad_norm", "99") is None                               # past T: not available
    assert read_value(ctx, "x", "1") == "h" and read_value(ctx, "y", "1") == "e"
    assert read_value(ctx, "loss") == pytest.approx(tr.total_loss)


def test_the_two_paths_add_up_to_the_gradient(hello):
    """grad_direct is dL<t>/da<t> through ŷ<t>; grad_carried what came from a<t+1>: as vectors they sum to dL/da<t>."""
    c, tr = hello
    k = 4
    direct = tr.da_direct[:, 0, k]
    carried = tr.da[:, 0, k] - direct
    ctx = ctx_of(c, tr, k)
    assert read_value(ctx, "grad_direct") == pytest.approx(np.linalg.norm(direct))
    assert read_value(ctx, "grad_carried") == pytest.approx(np.linalg.norm(carried))
    # the carried part is Waa^T (g'(z<t+1>) * dL/da<t+1>), as in the notes' rnn_cell_backward
    Waa = tr.params["Waa"]
    dtanh = (1 - tr.a[:, 0, k + 1] ** 2) * tr.da[:, 0, k + 1]
    assert np.allclose(carried, Waa.T @ dtanh)


def test_dWaa_summed_over_the_steps_is_the_gradient(hello):
    c, tr = hello
    ctx = ctx_of(c, tr)
    total = np.linalg.norm(tr.grads["Waa"])
    assert read_value(ctx, "dWaa_sum", "1") == pytest.approx(total)
    assert read_value(ctx, "dWaa") == pytest.approx(total)
    # each step's part: dtanh<t> a<t-1>^T
    k = 3
    dtanh = (1 - tr.a[:, 0, k] ** 2) * tr.da[:, 0, k]
    part = np.outer(dtanh, tr.a[:, 0, k - 1])
    assert read_value(ctx, "dWaa_step", str(k + 1)) == pytest.approx(np.linalg.norm(part))
    assert read_value(ctx, "dWaa_sum", "T") == pytest.approx(read_value(ctx, "dWaa_step", "T"))


def test_clipping_values():
    c = Config(source="hello world", hidden=8, activation="relu", radius=2.5)
    tr = run_config(c)
    norm = ctx_of(c, tr, clip=clip_gradients(tr.grads, "norm", 5.0))
    value = ctx_of(c, tr, clip=clip_gradients(tr.grads, "value", 1.0))
    assert read_value(norm, "grad_clipped") == pytest.approx(5.0)
    assert read_value(norm, "clip_cos") == pytest.approx(1.0)
    g = np.concatenate([np.ravel(v) for v in tr.grads.values()])
    cg = np.clip(g, -1, 1)
    assert read_value(value, "clip_cos") == pytest.approx(g @ cg / np.linalg.norm(g) / np.linalg.norm(cg))
    assert read_value(value, "clip_cos") < 0.95


def test_pascanu_bound_and_verdict():
    c = Config(source="the quick brown fox jumps over the lazy dog", radius=0.5)
    tr = run_config(c)
    ctx = ctx_of(c, tr)
    gs = read_value(ctx, "gamma_sigma")
    assert gs == pytest.approx(tr.sigma_max) and gs < 1
    assert read_value(ctx, "bound", "1") == pytest.approx(gs ** (tr.T - 1))
    assert read_value(ctx, "verdict") == "vanishing"
    assert read_value(ctx, "grad_last", "1") <= read_value(ctx, "bound", "1") * tr.da_last_norm[-1] * (1 + 1e-9)


def test_gated_values():
    c = Config(source="the quick brown fox", cell="lstm")
    tr = run_config(c)
    ctx = ctx_of(c, tr, 2)
    assert read_value(ctx, "forget") == pytest.approx(float(np.mean(tr.top.quantity("f")[2])))
    assert 0 < read_value(ctx, "gate_product") < 1
    assert read_value(ctx, "c_norm", "1") == pytest.approx(np.linalg.norm(tr.top.quantity("c")[0]))


@pytest.mark.parametrize("x,text", [(0.5, "0.5"), (1.9347, "1.935"), (18258.3, "18258"), (-3.2e-9, "−3.2×10⁻⁹"),
                                    (1e16, "10¹⁶"), (9.99e15, "10¹⁶"), (float("inf"), "∞"), (float("nan"), "NaN"),
                                    (0.0, "0"), (7, "7"), (12345678, "12 345 678")])
def test_numbers_are_written_for_people(x, text):
    assert format_number(x) == text


def test_fill_and_markup(hello):
    c, tr = hello
    ctx = ctx_of(c, tr)
    out = fill("L = {loss:.2f}, {{literal}}, missing {grad_norm[40]}", ctx)
    assert out == f"L = {tr.total_loss:.2f}, {{literal}}, missing —"
    html = to_html("**bold** and *it* `code`\n\n- one\n- two {T}", ctx)
    assert "<b>bold</b>" in html and "<i>it</i>" in html and "<code>code</code>" in html
    assert "<li>two <span>10</span></li>" in html
    assert to_plain("**L** = {loss}", ctx) == f"L = {format_number(tr.total_loss)}"
    assert placeholders("{a[t-1]:.2f} {{x}} {b}") == [("a", "t-1", ".2f"), ("b", None, "")]
    assert "&lt;" in to_html("a < b")
    assert not math.isnan(read_value(ctx, "rho"))
