"""The errors every step of the engine raises, so each front door can report them."""


class ScopeGraphError(Exception):
    """Base of every error the engine reports to a user."""


class SourceError(ScopeGraphError):
    """A path, logdir, run, tag or file could not give a graph."""


class NotFound(ScopeGraphError):
    """A run, tag, graph, scope or node that does not exist."""


class InvalidView(ScopeGraphError):
    """A view that cannot be drawn as asked, e.g. one holding too many boxes."""


class RenderError(ScopeGraphError):
    """Graphviz could not lay out or draw a view."""


class RenderTimeout(RenderError):
    """The layout ran past its wall-clock limit."""


class LayoutBusy(RenderError):
    """Too many layouts wait for a worker already, or this one waited too long for one: asked
    again after `retry_after` seconds, it may be drawn."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class LayoutCancelled(RenderError):
    """Nobody waits for this drawing any more: the client that asked for it left."""


class InvalidQuery(ScopeGraphError):
    """A malformed request: a negative depth, a regular expression that does not compile."""


class TooDeep(SourceError):
    """Data read from a log nests deeper than a stated limit (`reading.depth` states them)."""
