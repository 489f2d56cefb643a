"""Page slots (crawler.PageSlots): at most n pages in progress, a page waiting out a
retry's backoff holds none, and it comes back before pages not yet started.

The crawl's consequence, on the replica: with one slot, pages the site fails no longer
hold up the rest of the batch while they back off (tests/flows/test_backoff_slots.py).
"""

from __future__ import annotations

import asyncio

import pytest

from crawler import PageSlots


def test_a_page_waiting_out_a_backoff_lets_another_page_run() -> None:
    order: list[str] = []

    async def main() -> None:
        slots = PageSlots(1)

        async def failing() -> None:
            async with slots.page() as slot:
                order.append("A try 1")
                await slot.sleep(0.05)  # the backoff
                order.append("A try 2")

        async def other() -> None:
            async with slots.page():
                order.append("B")

        await asyncio.gather(failing(), other())
        assert slots.held == 0

    asyncio.run(main())
    assert order == ["A try 1", "B", "A try 2"]  # a plain semaphore: A, A, B


def test_a_page_back_from_its_backoff_goes_before_pages_not_yet_started() -> None:
    order: list[str] = []

    async def main() -> None:
        slots = PageSlots(1)

        async def backing_off() -> None:
            async with slots.page() as slot:
                order.append("A try 1")
                await slot.sleep(0.01)
                order.append("A try 2")

        async def page(name: str, hold: float = 0.0) -> None:
            async with slots.page():
                order.append(name)
                await asyncio.sleep(hold)

        a = asyncio.create_task(backing_off())
        await asyncio.sleep(0)  # A takes the slot, then gives it up for its backoff
        # B takes it and holds it past A's backoff; C and D queue behind B, before A wakes
        await asyncio.gather(a, page("B", hold=0.2), page("C"), page("D"))

    asyncio.run(main())
    assert order == ["A try 1", "B", "A try 2", "C", "D"]


def test_never_more_pages_in_progress_than_slots() -> None:
    async def main() -> int:
        slots = PageSlots(3)
        peak = 0

        async def one(i: int) -> None:
            nonlocal peak
            async with slots.page() as slot:
                peak = max(peak, slots.held)
                assert slots.held <= 3
                if i % 2:
                    await slot.sleep(0.001 * (i % 5))
                    peak = max(peak, slots.held)
                    assert slots.held <= 3
                await asyncio.sleep(0)

        await asyncio.gather(*(one(i) for i in range(50)))
        assert slots.held == 0
        return peak

    assert asyncio.run(main()) == 3


def test_a_cancelled_waiter_neither_keeps_nor_leaks_a_slot() -> None:
    async def main() -> None:
        slots = PageSlots(1)
        release = asyncio.Event()
        entered: list[str] = []

        async def holder() -> None:
            async with slots.page():
                entered.append("holder")
                await release.wait()

        async def waiter(name: str) -> None:
            async with slots.page():
                entered.append(name)

        h = asyncio.create_task(holder())
        await asyncio.sleep(0)
        w = asyncio.create_task(waiter("cancelled"))
        await asyncio.sleep(0)
        w.cancel()
        with pytest.raises(asyncio.CancelledError):
            await w
        release.set()
        await h
        assert slots.held == 0
        await asyncio.gather(waiter("x"), waiter("y"))  # both get the one slot in turn
        assert entered == ["holder", "x", "y"]
        assert slots.held == 0

        # cancelled during its backoff: the slot was given up, nothing is released twice
        async def sleeper() -> None:
            async with slots.page() as slot:
                await slot.sleep(10)

        s = asyncio.create_task(sleeper())
        await asyncio.sleep(0.01)
        assert slots.held == 0
        s.cancel()
        with pytest.raises(asyncio.CancelledError):
            await s
        assert slots.held == 0

    asyncio.run(main())


def test_slots_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PageSlots(0)
