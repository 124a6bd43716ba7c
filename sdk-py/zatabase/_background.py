"""Background revalidations as tracked tasks.

Every task is kept in a set until it finishes, so none is garbage-collected while pending (asyncio
only keeps weak references) and ``close()`` can cancel and await them. A shared cache may be used
from several threads, each with its own loop: tasks are cancelled on their own loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        """Cancels every task; awaits those of the running loop (the others end on their own loops)."""
        current = asyncio.get_running_loop()
        here: list[asyncio.Task[None]] = []
        for task in list(self._tasks):
            loop = task.get_loop()
            if loop is current:
                task.cancel()
                here.append(task)
            elif not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)
        if here:
            await asyncio.gather(*here, return_exceptions=True)

    async def drain(self) -> None:
        """Waits until the running loop's tasks have finished (for tests and graceful shutdowns)."""
        current = asyncio.get_running_loop()
        while True:
            here = [t for t in list(self._tasks) if t.get_loop() is current]
            if not here:
                return
            await asyncio.gather(*here, return_exceptions=True)
