"""BLAS's thread count: limited for the outermost block of any thread and restored only when the last
one ends; once a threaded program has pinned it (the window's job runners do), blocks change nothing.
Resizing OpenBLAS's pool under a running call crashed the window in dgeev, and a block ending in one
thread used to restore the default while another thread's block was still running."""
import threading

import pytest

from rnnviz.core import blas


class FakeController:
    """Records what one_blas_thread asks of threadpoolctl."""

    def __init__(self):
        self.threads, self.calls = 2, []

    def limit(self, limits, user_api):
        before, self.threads = self.threads, limits
        self.calls.append("limit")
        ctl = self

        class Limiter:
            def restore_original_limits(self):
                ctl.threads = before
                ctl.calls.append("restore")
        return Limiter()


@pytest.fixture
def fake(monkeypatch):
    ctl = FakeController()
    monkeypatch.setattr(blas, "_get_controller", lambda: ctl)
    monkeypatch.setattr(blas, "_pinned", False)
    monkeypatch.setattr(blas, "_depth", 0)
    monkeypatch.setattr(blas, "_limiter", None)
    return ctl


def test_overlapping_blocks_of_two_threads_keep_one_thread_until_the_last_ends(fake):
    a_in, a_out, b_in = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with blas.one_blas_thread():
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def b():
        a_in.wait(10)
        with blas.one_blas_thread():
            b_in.set()
            a_out.wait(10)
            seen["b after a left"] = fake.threads
    ts = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10)
    assert seen["b after a left"] == 1
    assert fake.calls == ["limit", "restore"] and fake.threads == 2


def test_nested_blocks_limit_once(fake):
    with blas.one_blas_thread():
        with blas.one_blas_thread():
            assert fake.threads == 1
        assert fake.threads == 1
    assert fake.calls == ["limit", "restore"] and fake.threads == 2


def test_pinned_means_one_thread_for_good_and_blocks_change_nothing(fake):
    assert blas.pin_one_thread()
    with blas.one_blas_thread():
        assert fake.threads == 1
    assert fake.threads == 1 and fake.calls == ["limit"]
