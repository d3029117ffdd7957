"""The per-process sliding-window rate limiter, on a clock the test moves."""

import uuid

import pytest

from casework.auth.service import Actor
from casework.errors import RateLimited
from casework.http import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 6000.0  # the start of a minute window

    def __call__(self) -> float:
        return self.now


def actor(rate_limit: str | None = None) -> Actor:
    return Actor(uuid.uuid4(), uuid.uuid4(), "agent", frozenset(), uuid.uuid4(), rate_limit)


def allowed(limiter: RateLimiter, who: Actor) -> bool:
    try:
        limiter.check(who)
    except RateLimited:
        return False
    return True


def retry_after(limiter: RateLimiter, who: Actor) -> int:
    with pytest.raises(RateLimited) as refused:
        limiter.check(who)
    return refused.value.retry_after  # type: ignore[no-any-return]


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_the_limit_holds_within_a_window_and_says_when_to_retry(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("3/minute")
    assert [allowed(limiter, who) for _ in range(3)] == [True, True, True]
    clock.now += 20
    assert retry_after(limiter, who) == 40


def test_the_previous_window_counts_by_how_much_it_still_overlaps(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("4/minute")
    assert all(allowed(limiter, who) for _ in range(4))
    clock.now += 60  # the next window starts: the previous one still weighs 4 x 1
    assert not allowed(limiter, who)
    clock.now += 10  # 4 x 50/60 = 3.33: room for one
    assert [allowed(limiter, who) for _ in range(2)] == [True, False]
    # 1 + 4 x share < 4 once the share is under 3/4, 15 s into the window: 5 s from now.
    assert retry_after(limiter, who) == 5
    clock.now += 5.5
    assert allowed(limiter, who)


def test_two_windows_later_nothing_counts(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("2/minute")
    assert all(allowed(limiter, who) for _ in range(2))
    clock.now += 120
    assert [allowed(limiter, who) for _ in range(3)] == [True, True, False]


def test_tokens_are_limited_separately_and_default_to_the_servers_limit(clock):
    limiter = RateLimiter("2/minute", clock)
    first, second = actor(), actor()
    assert [allowed(limiter, first) for _ in range(3)] == [True, True, False]
    assert [allowed(limiter, second) for _ in range(3)] == [True, True, False]


def test_retry_after_is_at_least_a_second(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("1/minute")
    assert allowed(limiter, who)
    clock.now += 59.9
    assert retry_after(limiter, who) == 1


def test_each_allowed_request_reports_its_limit_remaining_and_reset(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("3/minute")
    clock.now += 15
    states = [limiter.check(who) for _ in range(3)]
    assert [(s.limit, s.remaining, s.period) for s in states] == [(3, 2, 60), (3, 1, 60), (3, 0, 60)]
    # This window's requests weigh until the next window ends, 105 s from now.
    assert {s.reset for s in states} == {105}


def test_remaining_counts_the_previous_windows_weight(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("4/minute")
    for _ in range(2):
        limiter.check(who)
    clock.now += 90  # half of the previous window (2 requests) still overlaps: weight 1
    assert limiter.check(who).remaining == 2  # 1 + 1 used of 4


def test_a_refused_request_carries_the_state_with_nothing_remaining(clock):
    limiter, who = RateLimiter("100/minute", clock), actor("2/minute")
    limiter.check(who)
    limiter.check(who)
    clock.now += 20
    with pytest.raises(RateLimited) as refused:
        limiter.check(who)
    assert refused.value.retry_after == 40
    state = refused.value.state
    assert (state.limit, state.remaining, state.reset, state.period) == (2, 0, 100, 60)


def test_an_oauth_clients_requests_are_counted_together_apart_from_tokens(clock):
    limiter = RateLimiter("2/minute", clock)
    workspace, user, client = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first = Actor(workspace, user, "agent", frozenset(), oauth_client_id=client)
    second = Actor(workspace, user, "agent", frozenset({"cases:read"}), oauth_client_id=client)
    assert [allowed(limiter, first), allowed(limiter, second), allowed(limiter, first)] == [True, True, False]
    assert allowed(limiter, Actor(workspace, user, "agent", frozenset(), oauth_client_id=uuid.uuid4()))
    assert allowed(limiter, actor())
