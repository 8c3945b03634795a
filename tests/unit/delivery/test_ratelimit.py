"""``RateLimiter``: strict sliding windows, per chat, per group, and a chat's 429 block.

The limiter runs for real on the event loop, but on virtual time: its clock is a fake
monotonic clock, and ``asyncio.sleep`` inside the module is replaced by one that parks
the task until the driver moves the fake clock to its wake-up time. So the tests are
exact (every acquisition has a known instant) and take no real time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import types
from collections import Counter
from collections.abc import Awaitable, Iterable

import pytest

from core.delivery import ratelimit
from core.delivery.ratelimit import Limit, RateLimiter, SlidingWindow

T0 = 1000.0


class VirtualTime:
    """A monotonic clock that only moves when every task is waiting for it."""

    def __init__(self) -> None:
        self.now = T0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    async def run(self, coroutines: Iterable[Awaitable[object]], horizon: float = 10_000) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while True:
            for _ in range(50):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                break
            assert self._sleepers, "deadlock: tasks wait but nobody sleeps"
            wake, _, future = heapq.heappop(self._sleepers)
            assert wake - T0 < horizon, "ran past the horizon"
            self.now = max(self.now, wake)
            future.set_result(None)
        for task in tasks:
            task.result()  # re-raise what a task raised


@pytest.fixture
def vt(monkeypatch):
    time = VirtualTime()
    fake_asyncio = types.SimpleNamespace(Lock=asyncio.Lock, sleep=time.sleep)
    monkeypatch.setattr(ratelimit, "asyncio", fake_asyncio)
    return time


def limiter(vt, global_limit=None, per_chat=None, per_group=None):
    return RateLimiter(global_limit, per_chat, per_group, clock=vt.clock)


class Log:
    def __init__(self, vt: VirtualTime) -> None:
        self.vt = vt
        self.times: dict[str, list[float]] = {}

    async def send(self, rl: RateLimiter, key: str, count: int, is_group: bool = False) -> None:
        for _ in range(count):
            await rl.acquire(key, is_group)
            self.times.setdefault(key, []).append(self.vt.now - T0)

    def all(self) -> list[float]:
        return sorted(t for times in self.times.values() for t in times)


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of instants inside any half-open window (t - window, t]."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while ordered[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


# ------------------------------------------------------------------ the window itself


def test_sliding_window_counts_only_the_last_window():
    w = SlidingWindow(Limit(2, 1.0))
    assert w.wait_time(0.0) == 0
    w.record(0.0)
    w.record(0.4)
    assert w.wait_time(0.5) == pytest.approx(0.5)  # until the first send leaves the window
    assert w.wait_time(1.0) == 0  # a send exactly one window ago no longer counts
    w.record(1.0)
    assert w.wait_time(1.0) == pytest.approx(0.4)


# ------------------------------------------------------------------ global limit


async def test_never_more_than_count_in_any_window_across_many_chats(vt):
    rl = limiter(vt, global_limit=Limit(10, 1.0))
    log = Log(vt)
    await vt.run(log.send(rl, f"chat{i}", 5) for i in range(20))
    times = log.all()
    assert len(times) == 100
    assert most_in_any_window(times, 1.0) == 10
    # ... and a backlog runs *at* the limit: 100 sends at 10/s take 9 s, not more
    assert times[-1] == pytest.approx(9.0)
    assert Counter(round(t, 6) for t in times) == {float(s): 10 for s in range(10)}


async def test_a_burst_after_an_idle_spell_still_respects_the_window(vt):
    """Where a leaky bucket would let 2x through around a pause, the window does not."""
    rl = limiter(vt, global_limit=Limit(5, 1.0))
    log = Log(vt)
    await vt.run([log.send(rl, "a", 3)])
    vt.now = T0 + 0.7  # an idle spell, then a backlog
    await vt.run(log.send(rl, f"c{i}", 4) for i in range(5))
    times = log.all()
    assert len(times) == 23
    assert most_in_any_window(times, 1.0) == 5


@pytest.mark.parametrize(
    "limit,chats,each",
    [(Limit(3, 0.5), 7, 4), (Limit(30, 1.0), 50, 3), (Limit(1, 0.2), 4, 5)],
)
async def test_strict_window_for_several_limits(vt, limit, chats, each):
    rl = limiter(vt, global_limit=limit)
    log = Log(vt)
    await vt.run(log.send(rl, f"chat{i}", each) for i in range(chats))
    times = log.all()
    assert most_in_any_window(times, limit.window) == limit.count
    total = chats * each
    windows_needed = (total - 1) // limit.count
    assert times[-1] == pytest.approx(windows_needed * limit.window)


# ------------------------------------------------------------------ per chat


async def test_each_chat_has_its_own_window(vt):
    rl = limiter(vt, per_chat=Limit(1, 1.0))
    log = Log(vt)
    await vt.run([log.send(rl, "busy", 3), log.send(rl, "quiet", 1), log.send(rl, "other", 2)])
    assert log.times["busy"] == pytest.approx([0.0, 1.0, 2.0])
    assert log.times["quiet"] == [0.0]  # not held up by the busy chat's queue
    assert log.times["other"] == pytest.approx([0.0, 1.0])


async def test_per_chat_and_global_limits_both_hold(vt):
    rl = limiter(vt, global_limit=Limit(4, 1.0), per_chat=Limit(1, 0.5))
    log = Log(vt)
    await vt.run(log.send(rl, f"chat{i}", 6) for i in range(6))
    assert most_in_any_window(log.all(), 1.0) <= 4
    for times in log.times.values():
        assert most_in_any_window(times, 0.5) == 1
    assert log.all()[-1] == pytest.approx(8.0)  # 36 sends at 4/s: the global limit binds


# ------------------------------------------------------------------ groups


async def test_the_group_limit_applies_only_to_groups(vt):
    rl = limiter(vt, per_chat=Limit(100, 1.0), per_group=Limit(2, 60.0))
    log = Log(vt)
    await vt.run([log.send(rl, "group", 3, is_group=True), log.send(rl, "dm", 3)])
    assert log.times["group"] == pytest.approx([0.0, 0.0, 60.0])
    assert log.times["dm"] == [0.0, 0.0, 0.0]


async def test_a_group_obeys_both_its_chat_and_its_group_limits(vt):
    rl = limiter(vt, per_chat=Limit(1, 1.0), per_group=Limit(3, 10.0))
    log = Log(vt)
    await vt.run([log.send(rl, "group", 5, is_group=True)])
    assert log.times["group"] == pytest.approx([0.0, 1.0, 2.0, 10.0, 11.0])


# ------------------------------------------------------------------ a 429 for one chat


async def test_block_delays_only_that_chat(vt):
    rl = limiter(vt, global_limit=Limit(100, 1.0), per_chat=Limit(1, 1.0))
    rl.block("slow", 5.0)
    assert rl.blocked_for("slow") == 5.0
    assert rl.blocked_for("fast") == 0.0
    log = Log(vt)
    await vt.run([log.send(rl, "slow", 2), log.send(rl, "fast", 3)])
    assert log.times["slow"] == pytest.approx([5.0, 6.0])
    assert log.times["fast"] == pytest.approx([0.0, 1.0, 2.0])
    assert rl.blocked_for("slow") == 0.0


async def test_block_never_shortens_an_earlier_block(vt):
    rl = limiter(vt)
    rl.block("chat", 10.0)
    rl.block("chat", 2.0)
    assert rl.blocked_for("chat") == 10.0
    vt.now += 4
    assert rl.blocked_for("chat") == 6.0
    rl.block("chat", 30.0)
    assert rl.blocked_for("chat") == 30.0


async def test_a_block_during_a_wait_is_honoured(vt):
    """A 429 that arrives while a send for the chat already waits for its window."""
    rl = limiter(vt, per_chat=Limit(1, 1.0))
    log = Log(vt)

    async def block_soon() -> None:
        await vt.sleep(0.5)
        rl.block("chat", 3.0)  # until 3.5

    await vt.run([log.send(rl, "chat", 2), block_soon()])
    assert log.times["chat"] == pytest.approx([0.0, 3.5])


async def test_no_limits_means_no_waiting(vt):
    rl = limiter(vt)
    log = Log(vt)
    await vt.run(log.send(rl, f"c{i}", 10, is_group=bool(i % 2)) for i in range(10))
    assert set(log.all()) == {0.0}


# ------------------------------------------------------------------ a deadline


async def test_acquire_gives_up_at_once_when_the_slot_comes_after_the_deadline(vt):
    rl = limiter(vt, per_chat=Limit(1, 10.0), per_group=Limit(2, 60.0))
    got: list[tuple[str, bool, float]] = []

    async def take(key: str, deadline: float, is_group: bool = False) -> None:
        taken = await rl.acquire(key, is_group, deadline)
        assert taken is None or taken == vt.now  # the instant the slot was taken
        got.append((key, taken is not None, vt.now - T0))

    await vt.run([take("dm", T0 + 5), take("dm", T0 + 5)])
    assert got == [("dm", True, 0.0), ("dm", False, 0.0)]  # no waiting for nothing
    got.clear()
    # a slot inside the deadline is waited for; one past it is refused without taking it
    await vt.run([take("dm", T0 + 30)])
    assert got == [("dm", True, 10.0)]
    got.clear()
    rl.block("blocked", 100.0)
    await vt.run([take("blocked", vt.now + 50), take("free", vt.now + 50)])
    assert sorted(got) == [("blocked", False, 10.0), ("free", True, 10.0)]


async def test_a_refused_acquire_leaves_the_windows_untouched(vt):
    rl = limiter(vt, global_limit=Limit(2, 1.0))
    assert await rl.acquire("a", deadline=T0) == T0
    assert await rl.acquire("b", deadline=T0) == T0
    assert await rl.acquire("c", deadline=T0 + 0.5) is None
    vt.now = T0 + 1.0
    assert await rl.acquire("c", deadline=T0 + 1.0) == T0 + 1.0
    assert await rl.acquire("d", deadline=T0 + 1.0) == T0 + 1.0  # the refusal took no slot


# ------------------------------------------------------------------ counted from the end


def test_restamp_moves_one_send_to_its_later_instant():
    w = SlidingWindow(Limit(2, 1.0))
    w.record(0.0)
    w.record(0.0)
    w.restamp(0.0, 0.4)
    assert w.sent == [0.0, 0.4]
    assert w.wait_time(0.5) == pytest.approx(0.5)
    assert w.wait_time(1.0) == 0.0  # the one at 0.0 left; the one at 0.4 still counts
    assert w.sent == [0.4]
    w.restamp(0.1, 2.0)  # a send whose slot already left the window is counted again
    assert w.sent == [0.4, 2.0]


async def test_a_slot_counts_from_when_its_send_ended(vt):
    """A send that takes 0.3 s keeps its chat's (and the bot's) slot until 0.3 s + window:
    the platform may count it at any instant of those 0.3 s."""
    rl = limiter(vt, global_limit=Limit(2, 1.0), per_chat=Limit(1, 1.0))
    starts: list[float] = []

    async def send(key: str, count: int, takes: float) -> None:
        for _ in range(count):
            taken = await rl.acquire(key)
            assert taken is not None
            starts.append(vt.now - T0)
            await vt.sleep(takes)
            rl.release(key, taken)

    await vt.run([send("slow", 2, 0.3)])
    assert starts == pytest.approx([0.0, 1.3])
    starts.clear()
    vt.now = T0 + 10
    await vt.run([send("a", 1, 0.5), send("b", 1, 0.0), send("c", 1, 0.0)])
    # a and b at 10.0; b ends at once and frees its global slot at 11.0, a's lasts to 11.5
    assert sorted(starts) == pytest.approx([10.0, 10.0, 11.0])


async def test_release_of_an_unknown_chat_only_touches_the_global_window(vt):
    rl = limiter(vt, global_limit=Limit(1, 1.0), per_chat=Limit(1, 1.0))
    taken = await rl.acquire("a")
    assert taken is not None
    vt.now += 0.5
    rl.release("a", taken)
    assert await rl.acquire("b", deadline=T0 + 1.4) is None  # the global slot now ends at 1.5
    log = Log(vt)
    await vt.run([log.send(rl, "b", 1)])
    assert log.times["b"] == [1.5]
