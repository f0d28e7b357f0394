"""Progress bars on stderr, one per phase, so stdout stays clean for ``--json``."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class RichReporter:
    """A :class:`shared.tools.simulation.driver.Reporter` drawing rich progress bars."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def start(self, phase: str, total: int) -> None:
        self.tasks[phase] = self.progress.add_task(phase, total=max(total, 1))

    def advance(self, phase: str, amount: int = 1) -> None:
        self.progress.advance(self.tasks[phase], amount)

    def finish(self, phase: str) -> None:
        task = self.tasks[phase]
        total = self.progress.tasks[self.progress.task_ids.index(task)].total
        self.progress.update(task, completed=total)
