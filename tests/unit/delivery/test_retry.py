"""``RetryPolicy``: exponential backoff with full jitter, a floor, a cap and a last attempt."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

import pytest

from core.delivery.retry import RetryPolicy

SECOND = timedelta(seconds=1)


class Fixed:
    """A stand-in for ``random.Random`` whose ``random()`` always returns ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_ceiling_doubles_with_each_failure_from_the_base():
    policy = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(minutes=30))
    ceilings = [policy.delay(n, Fixed(1.0)).total_seconds() for n in range(1, 8)]
    assert ceilings == [5, 10, 20, 40, 80, 160, 320]


def test_the_ceiling_is_capped():
    policy = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(minutes=30))
    assert policy.delay(10, Fixed(1.0)) == timedelta(minutes=30)  # 5 s * 2**9 = 2560 s
    # 5 s * 2**59 does not fit a timedelta: the cap must win without an OverflowError
    assert policy.delay(60, Fixed(1.0)) == timedelta(minutes=30)
    assert policy.delay(10_000, Fixed(1.0)) == timedelta(minutes=30)
    assert policy.delay(10, Fixed(0.5)) == timedelta(minutes=15)


def test_attempt_zero_or_below_counts_as_the_first():
    policy = RetryPolicy(base=timedelta(seconds=5))
    assert policy.delay(0, Fixed(1.0)) == policy.delay(1, Fixed(1.0)) == 5 * SECOND


def test_the_wait_never_drops_below_one_second():
    policy = RetryPolicy(base=timedelta(seconds=5))
    assert policy.delay(1, Fixed(0.0)) == SECOND
    assert policy.delay(1, Fixed(0.1)) == SECOND  # 0.5 s would be below the floor
    assert policy.delay(3, Fixed(0.25)) == 5 * SECOND


@pytest.mark.parametrize("attempts", [1, 2, 3, 5, 8, 12])
def test_full_jitter_spreads_waits_over_one_second_to_the_ceiling(attempts):
    policy = RetryPolicy(base=timedelta(seconds=5), cap=timedelta(minutes=30))
    ceiling = min(policy.cap, policy.base * 2 ** (attempts - 1)).total_seconds()
    rng = random.Random(attempts)
    waits = [policy.delay(attempts, rng).total_seconds() for _ in range(2000)]
    assert min(waits) >= 1.0
    assert max(waits) <= ceiling
    # uniform on [0, ceiling] with what falls below one second raised to it:
    floored = sum(w == 1.0 for w in waits) / len(waits)
    assert floored == pytest.approx(1 / ceiling, abs=0.04)
    expected_mean = (1 + (ceiling**2 - 1) / 2) / ceiling
    assert statistics.mean(waits) == pytest.approx(expected_mean, rel=0.1)
    above = [w for w in waits if w > 1.0]
    assert len(set(above)) > 0.95 * len(above)  # spread, not bunched on a few values
    assert max(waits) > 0.9 * ceiling


def test_the_module_random_is_used_when_no_rng_is_given():
    policy = RetryPolicy()
    waits = {policy.delay(4) for _ in range(200)}
    assert len(waits) > 100
    assert all(SECOND <= w <= 40 * SECOND for w in waits)


def test_average_waits_grow_with_the_attempts():
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(hours=1))
    rng = random.Random(7)
    means = [
        statistics.mean(policy.delay(n, rng).total_seconds() for _ in range(500))
        for n in range(1, 7)
    ]
    assert means == sorted(means)
    assert means[-1] > 10 * means[0]


def test_is_last():
    policy = RetryPolicy(max_attempts=3)
    assert [policy.is_last(n) for n in range(0, 6)] == [False, False, False, True, True, True]
    assert RetryPolicy().is_last(6) and not RetryPolicy().is_last(5)
    assert RetryPolicy(max_attempts=1).is_last(1)
