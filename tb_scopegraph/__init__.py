"""tb-scopegraph: computation graphs drawn with Graphviz, name scopes as groups to open and close.

`show` (for notebooks) is imported on first use, so `import tb_scopegraph` stays cheap and
never imports TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["show"]

if TYPE_CHECKING:
    from tb_scopegraph.notebook import show


def __getattr__(name: str) -> Any:
    if name == "show":
        from tb_scopegraph.notebook import show

        return show
    raise AttributeError(f"module 'tb_scopegraph' has no attribute {name!r}")
